/**
 * The agent config of the fault scenarios: the pilot's shape (config/smartcar.yaml) — status spool
 * → interceptors (timestamp, logType, collection-day append, header filter) → HDFS layout as
 * text; driving `tail -F` → header filter → Kafka topic keyed by car — with test-sized batches,
 * quick polls and retries, the HDFS sink on the local layout or on a WebHDFS emulator, and the
 * buffer variant under test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BufferKind, bufferYaml } from './buffers.js';

export interface FaultConfigOptions {
  readonly dir: string;
  readonly brokers: string;
  readonly topic: string;
  readonly buffer: BufferKind;
  /** WebHDFS namenode URL; the local layout under `<dir>/hdfs` when absent. */
  readonly webhdfsUrl?: string;
  /** Checkpoint folder (a small tmpfs in the ENOSPC scenario). */
  readonly stateDir?: string;
  /** Disk-buffer parent folder (a small tmpfs in the ENOSPC scenario). */
  readonly bufferDir?: string;
  readonly maxEvents?: number;
  readonly sinkBatch?: number;
  readonly rollSize?: string;
  readonly drainTimeoutMs?: number;
  readonly maxLineBytes?: string;
}

export const DEFAULT_MAX_EVENTS = 5000;
export const DEFAULT_SINK_BATCH = 1000;

/**
 * The disk buffer saves its per-sink read positions at most every 200 ms (src/buffers/disk/
 * positions.ts), so after a crash it re-delivers what the sinks acknowledged in that time: at the
 * spool's ~100 k events/s, up to ~20 k events per source.
 */
export const DISK_POSITION_LAG = 20_000;

/**
 * What one crash (kill -9, second signal, cut-short drain) may repeat per source: events read but
 * not acknowledged (≤ buffer maxEvents), acknowledged after the last checkpoint write (≤ one sink
 * batch), and with the disk buffer the position-save lag.
 */
export function crashWindow(buffer: BufferKind): number {
  return DEFAULT_MAX_EVENTS + DEFAULT_SINK_BATCH + (buffer === 'disk' ? DISK_POSITION_LAG : 0);
}

export function writeFaultConfig(o: FaultConfigOptions): string {
  const maxEvents = o.maxEvents ?? DEFAULT_MAX_EVENTS;
  const batch = o.sinkBatch ?? DEFAULT_SINK_BATCH;
  const bufferDir = o.bufferDir ?? join(o.dir, 'state', 'buffers');
  const hdfsTarget = o.webhdfsUrl ? `url: ${o.webhdfsUrl}\n    user: flume\n    requestTimeoutMs: 3000` : `root: ${join(o.dir, 'hdfs')}`;
  const maxLine = o.maxLineBytes ? `\n    maxLineBytes: ${o.maxLineBytes}` : '';
  const file = join(o.dir, 'agent.yaml');
  writeFileSync(
    file,
    `
agent: { id: fault-agent, stateDir: '${o.stateDir ?? join(o.dir, 'state')}', drainTimeoutMs: ${o.drainTimeoutMs ?? 20000} }
deadLetter: { dir: '${join(o.dir, 'dead-letter')}', fsync: false }
sources:
  status:
    type: spooldir
    spoolDir: ${join(o.dir, 'car-batch-log')}
    deletePolicy: immediate
    minFileAgeMs: 100
    pollDelay: 50
    batchSize: 1000${maxLine}
    schema: smartcar.CarStatus
    interceptors:
      - { type: timestamp, preserveExisting: true }
      - { type: static, key: logType, value: car-batch-log }
      - { type: append_field, delimiter: ',', format: yyyyMMdd }
      - { type: regex_filter, regex: '^\\d{14}' }
    buffer: ${bufferYaml(o.buffer, maxEvents, join(bufferDir, 'status'))}
    sinks: [hdfs]
  driving:
    type: tail
    path: ${join(o.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log')}
    startAt: beginning
    pollIntervalMs: 20
    batchSize: 1000${maxLine}
    schema: smartcar.DrivingEvent
    interceptors:
      - { type: timestamp }
      - { type: static, key: logType, value: driver-realtime-log }
      - { type: regex_filter, regex: '^\\d{14}' }
    buffer: ${bufferYaml(o.buffer, maxEvents, join(bufferDir, 'driving'))}
    sinks: [driving_kafka]
sinks:
  hdfs:
    type: hdfs
    ${hdfsTarget}
    path: /pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d
    filePrefix: '%{logType}'
    fileSuffix: .log
    format: text
    rollSize: ${o.rollSize ?? '4MiB'}
    rollInterval: 0
    rollCount: 0
    batchSize: ${batch}
    batchTimeoutMs: 20
    retry: { initialDelayMs: 50, maxDelayMs: 1000 }
  driving_kafka:
    type: kafka
    brokers: '${o.brokers}'
    topic: ${o.topic}
    keyField: car_number
    format: text
    headers: false
    acks: all
    batchSize: ${batch}
    requestMaxEvents: 1000
    maxInFlight: 5
    batchTimeoutMs: 5
    retry: { initialDelayMs: 50, maxDelayMs: 1000 }
`,
  );
  return file;
}

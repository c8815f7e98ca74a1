/** Drives a DiskLog directly (no pipeline) for the log-level tests. */
import { decodeBatch, frameBatch, PayloadWriter } from '../../../src/buffers/disk/batch-codec.js';
import { DiskLog, type DiskLogOptions, type ReadFrame } from '../../../src/buffers/disk/disk-log.js';
import type { Ack, FlumeEvent } from '../../../src/core/event.js';
import { silentLogger } from '../../../src/core/logger.js';

export interface TestLog {
  readonly log: DiskLog;
  torn: number;
  readonly writeErrors: string[];
}

export async function openLog(dir: string, opts: Partial<DiskLogOptions> = {}): Promise<TestLog> {
  const t: { log?: DiskLog; torn: number; writeErrors: string[] } = { torn: 0, writeErrors: [] };
  const log = new DiskLog({
    dir,
    maxBytes: 64 * 1024 * 1024,
    segmentBytes: 4096,
    fsync: 'batch',
    fsyncIntervalMs: 1000,
    whenFull: 'block',
    sinkIds: ['a', 'b'],
    logger: silentLogger(),
    onTorn: (n) => {
      t.torn += n;
    },
    onWriteError: (code) => t.writeErrors.push(code),
    retryMs: { initial: 10, max: 50 },
    ...opts,
  });
  await log.open();
  t.log = log;
  return t as TestLog;
}

const writer = new PayloadWriter();

/** A one-event batch frame whose body names it (`name:...`, `size` bytes of body). */
export function payload(name: string, size = 40): Buffer {
  const body = Buffer.from(`${name}:`.padEnd(size, '.'));
  const ack: Ack = { settled: false, settle() {} };
  const event: FlumeEvent = { id: `t:${name}`, body, headers: {}, position: { fileKey: 'k', path: '/p', offset: 0, end: 1 }, ack };
  return frameBatch({ sourceId: 't', events: [event] }, writer);
}

/** Bytes one `payload(name, size)` takes on disk, header included. */
export function frameSize(name: string, size = 40): number {
  return payload(name, size).length;
}

/** Ends the log and reads every frame it yields. */
export async function readAll(log: DiskLog): Promise<ReadFrame[]> {
  log.end();
  const out: ReadFrame[] = [];
  for await (const f of log.read()) out.push(f);
  return out;
}

export function names(frames: readonly ReadFrame[]): string[] {
  const ack: Ack = { settled: false, settle() {} };
  return frames.map((f) => (decodeBatch(f.payload, 't', undefined, ack).events[0]?.body.toString() ?? '').split(':')[0] as string);
}

/**
 * Restart guarantees with the real CLI as a child process: after a clean stop nothing is lost or
 * repeated; after kill -9 nothing is lost and only what was in flight is repeated. As in the pilot,
 * the driving log goes to Kafka (the mock broker; a duplicate is a second message with the same
 * line, not the reader seeing one message twice) and the status spool to the HDFS layout.
 *
 * Duplicate bound: at a kill, at most the events read but not acknowledged (≤ buffer.maxEvents)
 * plus those acknowledged after the last checkpoint write finished (≤ one sink batch, since the
 * checkpoint is written on every advance) can be read again.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { killAll, startCli } from '../support/cli.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic, type TopicCollector } from '../support/kafka/topic.js';
import { listFiles } from '../support/pilot.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

const MAX_EVENTS = 2000;
const SINK_BATCH = 500;

function writeConfig(dir: string, brokers: string, topic: string): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    `
agent: { id: crash-agent, stateDir: ${dir}/state, drainTimeoutMs: 20000 }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  driving:
    type: tail
    path: ${dir}/driver-realtime-log/SmartCarDriverInfo.log
    pollIntervalMs: 50
    schema: smartcar.DrivingEvent
    schemaVersion: 1
    interceptors: [{ type: regex_filter, regex: '^\\d{14}' }]
    buffer: { maxEvents: ${MAX_EVENTS} }
    sinks: [driving_out]
  status:
    type: spooldir
    spoolDir: ${dir}/spool
    minFileAgeMs: 100
    pollDelay: 50
    schema: smartcar.CarStatus
    interceptors: [{ type: regex_filter, regex: '^\\d{14}' }]
    buffer: { maxEvents: ${MAX_EVENTS} }
    sinks: [status_out]
sinks:
  driving_out: { type: kafka, brokers: '${brokers}', topic: ${topic}, format: avro, batchSize: ${SINK_BATCH}, batchTimeoutMs: 20, retry: { maxDelayMs: 1000 } }
  status_out: { type: hdfs, root: ${dir}/hdfs, path: /status, filePrefix: status, fileSuffix: .log, format: text, rollSize: 1MiB, batchSize: ${SINK_BATCH}, batchTimeoutMs: 20, idleTimeout: 1 }
`,
  );
  return file;
}

/** The driving lines in the topic, decoded from the Avro values (one entry per message). */
function drivingRecords(topic: TopicCollector): string[] {
  return topic.messages.map((m) => Object.values(drivingType.fromBuffer(m.value) as Record<string, unknown>).join(','));
}

function statusLines(hdfs: string): Promise<string[]> {
  return listFiles(hdfs).then((files) =>
    Promise.all(
      files
        .filter((f) => f.startsWith('status/') && f.endsWith('.log'))
        .map((f) => import('node:fs/promises').then((fs) => fs.readFile(join(hdfs, f), 'utf8'))),
    ).then((texts) => texts.flatMap((t) => t.split('\n').slice(0, -1))),
  );
}

function countDuplicates(lines: readonly string[]): { unique: Set<string>; duplicates: number } {
  const unique = new Set(lines);
  return { unique, duplicates: lines.length - unique.size };
}

// The pipeline pins version 1: the records are compared with the v1 lines field for field.
const drivingType = loadSchemaRegistry().get('smartcar.DrivingEvent', 1).type;

describe('restart', () => {
  let cleanup: () => Promise<void> = async () => {};
  let broker: MockBroker;
  let topic: TopicCollector | undefined;
  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  afterEach(async () => {
    killAll();
    await topic?.stop();
    await cleanup();
  });

  it('after a clean stop (SIGTERM) loses nothing and repeats nothing', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const config = writeConfig(t.dir, broker.bootstrap, 'driving-clean');
    const reader = await collectTopic(broker.bootstrap, 'driving-clean');
    topic = reader;
    const log = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    mkdirSync(join(t.dir, 'driver-realtime-log'), { recursive: true });
    writeFileSync(log, `${DRIVING_HEADER}\n`);
    const all: string[] = [];
    const append = (from: number, n: number) => {
      const lines = Array.from({ length: n }, (_, k) => drivingLine(from + k));
      all.push(...lines);
      appendFileSync(log, `${lines.join('\n')}\n`);
    };
    append(0, 3000);
    let agent = startCli(['run', '-c', config, '--log-level', 'warn']);
    await waitFor(() => reader.messages.length > 0 || existsSync(join(t.dir, 'state', 'source-driving.json')), {
      what: 'the agent to start reading',
    });
    append(3000, 2000);
    await sleep(300);
    agent.child.kill('SIGTERM');
    expect((await agent.exit).code).toBe(0);
    append(5000, 2000);
    agent = startCli(['run', '-c', config, '--log-level', 'warn']);
    await waitFor(() => reader.messages.length >= all.length, {
      timeoutMs: 60_000,
      what: 'all lines after restart',
    });
    agent.child.kill('SIGTERM');
    expect((await agent.exit).code).toBe(0);
    await sleep(500); // a repeated line would have arrived by now
    const got = drivingRecords(reader);
    expect(got).toHaveLength(all.length);
    expect([...got].sort()).toEqual([...all].sort());
  });

  it('after kill -9 (tail and spool, several times) loses nothing; duplicates stay within the in-flight bound', {
    timeout: 300_000,
  }, async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const config = writeConfig(t.dir, broker.bootstrap, 'driving-kill');
    const reader = await collectTopic(broker.bootstrap, 'driving-kill');
    topic = reader;
    const log = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    mkdirSync(join(t.dir, 'driver-realtime-log'), { recursive: true });
    mkdirSync(join(t.dir, 'spool'), { recursive: true });
    writeFileSync(log, '');
    const status = writeStatusDay({ date: '20160102', cars: 10, file: join(t.dir, 'work', statusFileName('20160102')), seed: 3 });
    renameSync(join(t.dir, 'work', statusFileName('20160102')), join(t.dir, 'spool', statusFileName('20160102')));

    let next = 0;
    const kills = 5;
    for (let round = 0; round <= kills; round++) {
      const agent = startCli(['run', '-c', config, '--log-level', 'info']);
      // Kill only a running agent, at a random moment while lines are being appended.
      await waitFor(() => agent.stderr().includes('agent started'), { what: 'the agent to start' });
      for (let k = 0; k < 5; k++) {
        const lines = Array.from({ length: 400 }, (_, j) => drivingLine(next + j));
        next += lines.length;
        appendFileSync(log, `${lines.join('\n')}\n`);
        await sleep(40 + Math.floor(Math.random() * 80));
      }
      if (round < kills) {
        agent.child.kill('SIGKILL');
        await agent.exit;
      } else {
        await waitFor(() => new Set(drivingRecords(reader)).size >= next && !existsSync(join(t.dir, 'spool', statusFileName('20160102'))), {
          timeoutMs: 240_000,
          intervalMs: 250,
          what: 'every driving line and the whole status file',
        });
        agent.child.kill('SIGTERM');
        expect((await agent.exit).code).toBe(0);
      }
    }

    const bound = kills * (MAX_EVENTS + SINK_BATCH);
    await sleep(500); // late duplicates would have arrived by now
    const driving = countDuplicates(drivingRecords(reader));
    for (let i = 0; i < next; i++) expect(driving.unique.has(drivingLine(i))).toBe(true);
    expect(driving.unique.size).toBe(next);
    expect(driving.duplicates).toBeLessThanOrEqual(bound);

    const statusOut = countDuplicates(await statusLines(join(t.dir, 'hdfs')));
    console.log(
      `kill -9 x${kills}: driving in=${next} delivered=${driving.unique.size} duplicates=${driving.duplicates}; ` +
        `status in=${status.dataLines} delivered=${statusOut.unique.size} duplicates=${statusOut.duplicates}; bound=${bound}`,
    );
    expect(statusOut.unique.size).toBe(status.dataLines);
    expect(statusOut.duplicates).toBeLessThanOrEqual(bound);
    expect(readdirSync(join(t.dir, 'hdfs', 'status')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

/**
 * `rxflume demo` as a child process (the built CLI), short runs of 5 cars:
 *   - with its own mock broker: exit 0, balanced summary, the status day in the local HDFS layout;
 *   - with the test's broker (--kafka-brokers): what the summary says was delivered is on the topic;
 *   - with Kafka off (--no-kafka): it says so, and the driving lines land in the layout
 *     (demo-without-native.test.ts covers a broker that cannot be built, with its hint).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STATUS_HEADER } from '../../src/simulator/status.js';
import { killAll, startCli } from '../support/cli.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic, type TopicCollector } from '../support/kafka/topic.js';
import { listFiles } from '../support/pilot.js';
import { tempDir } from '../support/wait.js';

interface Summary {
  drained: boolean;
  kafka: string | null;
  balanced: boolean;
  sources: Array<{
    id: string;
    in: number;
    filtered: number;
    deadLettered: number;
    lost: number;
    delivered: Record<string, number>;
    balanced: boolean;
  }>;
}

const DRIVING_LINE = /^\d{14},[A-Z]\d{4},[0-5],[0-3],(F|L[1-3]|R[1-3]),[NLR],\d{1,3},[A-F](0[1-9]|10)$/;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  killAll();
  for (const c of cleanups.splice(0)) await c();
});

async function demo(
  extra: readonly string[],
): Promise<{ dir: string; code: number | null; stdout: string; stderr: string; summary: Summary }> {
  const t = await tempDir('rxflume-demo-');
  cleanups.push(t.cleanup);
  const p = startCli(['demo', '--duration', '8', '--cars', '5', '--dir', t.dir, '--metrics-address', '127.0.0.1:0', ...extra]);
  const { code } = await p.exit;
  const summary = JSON.parse(readFileSync(join(t.dir, 'summary.json'), 'utf8')) as Summary;
  return { dir: t.dir, code, stdout: p.stdout(), stderr: p.stderr(), summary };
}

async function layoutLines(dir: string, logType: string): Promise<string[]> {
  const root = join(dir, 'hdfs');
  const files = (await listFiles(root)).filter((f) => f.includes(`/${logType}/`));
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return files.flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').slice(0, -1));
}

function source(summary: Summary, id: string) {
  const s = summary.sources.find((x) => x.id === id);
  if (!s) throw new Error(`no source ${id} in the summary`);
  return s;
}

describe('rxflume demo', () => {
  let broker: MockBroker | undefined;
  let topic: TopicCollector | undefined;
  afterAll(async () => {
    await topic?.stop();
    await broker?.stop();
  });

  it('runs its own broker, the agent and both simulators, and ends balanced with exit 0', { timeout: 240_000 }, async () => {
    const r = await demo([]);
    expect(r.stdout).toContain('Kafka: starting the mock Kafka-protocol broker');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^balanced: yes/m);
    expect(r.stdout).toMatch(/^ {2}status: in [\d,]+ = out hdfs [\d,]+ \+ filtered [\d,]+ \+ dead-lettered [\d,]+ {2}ok$/m);
    expect(r.summary.drained).toBe(true);
    expect(r.summary.balanced).toBe(true);
    const status = source(r.summary, 'status');
    const driving = source(r.summary, 'driving');
    for (const s of [status, driving]) {
      const out = Object.values(s.delivered)[0] as number;
      expect(s.in, s.id).toBe(out + s.filtered + s.deadLettered);
      expect(s.lost).toBe(0);
    }
    // The status day (5 cars) reached the local HDFS layout: the files hold what was delivered.
    const statusLines = await layoutLines(r.dir, 'car-batch-log');
    expect(statusLines.length).toBe(status.delivered.hdfs);
    expect(statusLines.length).toBeGreaterThan(0);
    expect(statusLines.every((l) => /^\d{14},[A-Z]\d{4},(\d+,){4}[12],[12],[12],[12],[ABC],[ABC],\d+,\d{8}$/.test(l))).toBe(true);
    expect(statusLines.some((l) => l.includes(STATUS_HEADER))).toBe(false);
    // Driving lines went to Kafka (the demo's broker), with headers filtered out.
    expect(driving.delivered.driving_kafka).toBeGreaterThan(0);
    expect(driving.filtered).toBeGreaterThanOrEqual(5);
  });

  it('delivers to the given brokers exactly what its summary reports', { timeout: 240_000 }, async () => {
    broker = await startMockBroker();
    topic = await collectTopic(broker.bootstrap, 'SmartCar-Topic');
    const r = await demo(['--kafka-brokers', broker.bootstrap]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.summary.kafka).toBe(broker.bootstrap);
    const delivered = source(r.summary, 'driving').delivered.driving_kafka as number;
    expect(delivered).toBeGreaterThan(0);
    await topic.waitForCount(delivered);
    expect(topic.messages).toHaveLength(delivered);
    expect(topic.messages.every((m) => DRIVING_LINE.test(m.value.toString()))).toBe(true);
  });

  it('with --no-kafka says Kafka is off and writes the driving lines into the layout', { timeout: 240_000 }, async () => {
    const r = await demo(['--no-kafka']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Kafka is off');
    expect(r.summary.kafka).toBeNull();
    expect(r.summary.balanced).toBe(true);
    const driving = source(r.summary, 'driving');
    const lines = await layoutLines(r.dir, 'driver-realtime-log');
    expect(lines.length).toBe(driving.delivered.driving_local);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => DRIVING_LINE.test(l))).toBe(true);
  });
});

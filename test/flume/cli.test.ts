/**
 * The CLI on Flume files, as a user runs it (the built dist/, like test/integration/cli.test.ts):
 * `import-flume` prints YAML or refuses with every problem, `validate` accepts a .conf, and
 * `run -c SmartCar_Agent.conf` — the seed's file with its /home/pilot-pjt/working folders moved
 * into a temp folder (the one rewrite; RXFLUME_HDFS_URL and RXFLUME_KAFKA_BROKERS point the bare
 * hdfs.path and the brokers at the temp layout and the mock broker) — moves a spooled status file
 * into the HDFS layout and tailed driving lines into the Kafka topic, with Flume's bytes.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from '../support/cli.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic } from '../support/kafka/topic.js';
import { listFiles } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

const SEED = fileURLToPath(new URL('../fixtures/flume/SmartCar_Agent.conf', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../config/flume/SmartCar_Agent.conf', import.meta.url));
const STATUS_HEADER =
  'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo';

/** Two cars' interleaved status lines of one simulated day, each car's header first. */
function statusFile(linesPerCar: number): { text: string; data: string[] } {
  const data: string[] = [];
  const out = [STATUS_HEADER, STATUS_HEADER];
  for (let i = 0; i < linesPerCar; i++) {
    const time = `20160101${String(Math.floor((i * 4) / 3600)).padStart(2, '0')}${String(Math.floor(((i * 4) % 3600) / 60)).padStart(2, '0')}${String((i * 4) % 60).padStart(2, '0')}`;
    for (const car of ['K0001', 'K0002']) {
      const line = `${time},${car},${80 + (i % 20)},90,91,92,1,1,1,1,A,A,${50 + (i % 50)}`;
      data.push(line);
      out.push(line);
    }
  }
  return { text: `${out.join('\n')}\n`, data };
}

describe('Flume files on the command line', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    killAll();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('import-flume prints the YAML (warnings in its header and on stderr); validate accepts the .conf', async () => {
    const r = await runCli(['import-flume', SEED, '--hdfs-url', 'webhdfs://namenode:9870', '--kafka-brokers', '127.0.0.1:9092']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# rxflume config imported from .*SmartCar_Agent\.conf \(Flume agent SmartCar_Agent\)/);
    expect(r.stdout).toContain(
      '#   line 62: SmartCar_Agent.sinks.DriverCarInfo_KafkaSink.topic: old property name (Flume < 1.7), read as kafka.topic',
    );
    expect(r.stdout).toContain('    url: webhdfs://namenode:9870\n');
    expect(r.stdout).toContain('    brokers: 127.0.0.1:9092\n');
    expect(r.stderr).toContain('warning: line 29: SmartCar_Agent.channels.SmartCarInfo_Channel.transactionCapacity: ');
    const example = await runCli(['validate', '-c', EXAMPLE]);
    expect(example.stdout).toBe(`ok: ${EXAMPLE}: 2 source(s), 2 sink(s)\n`);
    expect(example.code).toBe(0);
  });

  it('import-flume and validate refuse a broken file with every problem, and ask for --agent when there are several', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'broken.conf');
    await writeFile(
      file,
      [
        'a1.sources = r1',
        'a1.channels = c1',
        'a1.sinks = k1',
        'a1.sources.r1.type = exec',
        'a1.sources.r1.command = cat /var/log/x',
        'a1.sources.r1.channels = c1',
        'a1.channels.c1.type = memory',
        'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
        'a1.sinks.k1.kafka.bootstrap.servers = b:9092',
        'a1.sinks.k1.kafka.producer.acks = 0',
        'a1.sinks.k1.hdfs.path = /oops',
        'a1.sinks.k1.channel = c1',
        'a2.sources = r1',
      ].join('\n'),
    );
    const many = await runCli(['import-flume', file]);
    expect(many.code).toBe(2);
    expect(many.stdout).toBe('');
    expect(many.stderr).toContain('error: (agent): the file holds several agents (a1, a2): choose one with --agent NAME');
    const r = await runCli(['import-flume', file, '--agent', 'a1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'error: line 5: a1.sources.r1.command: rxflume runs no commands: only "tail -F FILE" maps (to the tail source); found "cat"',
    );
    expect(r.stderr).toContain(
      'error: line 11: a1.sinks.k1.hdfs.path: unknown or unsupported property of this sink (type org.apache.flume.sink.kafka.KafkaSink)',
    );
    const v = await runCli(['validate', '-c', file, '--agent', 'a1']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(`invalid config ${file}:\n  line 5: a1.sources.r1.command: rxflume runs no commands`);
  });

  it('run -c SmartCar_Agent.conf: status file → HDFS layout (lines + collection day), driving lines → Kafka (value = line, no key)', {
    timeout: 240_000,
  }, async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const broker = await startMockBroker();
    cleanups.push(() => broker.stop());
    const reader = await collectTopic(broker.bootstrap, 'SmartCar-Topic');
    cleanups.push(() => reader.stop());

    const conf = join(t.dir, 'SmartCar_Agent.conf');
    await writeFile(conf, (await readFile(SEED, 'utf8')).replaceAll('/home/pilot-pjt/working', t.dir));
    await mkdir(join(t.dir, 'car-batch-log'), { recursive: true });
    await mkdir(join(t.dir, 'driver-realtime-log'), { recursive: true });
    await mkdir(join(t.dir, 'SmartCar'), { recursive: true });
    const drivingLog = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    const driving = Array.from({ length: 600 }, (_, i) => drivingLine(i));
    await writeFile(drivingLog, `${DRIVING_HEADER}\n${driving.slice(0, 300).join('\n')}\n`);

    const agent = startCli(['run', '-c', conf], {
      cwd: t.dir,
      env: { RXFLUME_HDFS_URL: `file://${join(t.dir, 'hdfs')}`, RXFLUME_KAFKA_BROKERS: broker.bootstrap },
    });
    await waitFor(() => agent.metricsUrl(), { timeoutMs: 60_000, what: 'the agent to start' });
    expect(agent.stderr()).toContain(
      'flume import: line 21: SmartCar_Agent.sources.SmartCarInfo_SpoolSource.interceptors.collectDayInterceptor.type',
    );

    // As the pilot did: the day is written in a working folder, then moved into the spool folder.
    const status = statusFile(500);
    const work = join(t.dir, 'SmartCar', 'SmartCarStatusInfo_20160101.txt');
    await writeFile(work, status.text);
    const spooled = join(t.dir, 'car-batch-log', 'SmartCarStatusInfo_20160101.txt');
    await rename(work, spooled);
    await appendFile(drivingLog, `${driving.slice(300).join('\n')}\n`);

    await waitFor(() => !existsSync(spooled), {
      timeoutMs: 180_000,
      intervalMs: 100,
      what: 'the spooled file to be deleted (deletePolicy immediate)',
    });
    await reader.waitForCount(driving.length, 180_000);
    agent.child.kill('SIGTERM');
    expect((await agent.exit).code).toBe(0);

    const root = join(t.dir, 'hdfs', 'pilot-pjt', 'collect', 'car-batch-log');
    const folders = await readdir(root);
    expect(folders.length).toBeGreaterThanOrEqual(1);
    const written: string[] = [];
    for (const folder of folders) {
      const day = /^wrk_date=(\d{8})$/.exec(folder)?.[1];
      expect(day).toBeDefined();
      const files = await listFiles(join(root, folder));
      for (const f of files) expect(f).toMatch(/^car-batch-log\.SmartCar_Agent\.\d+\.log$/);
      for (const f of files) {
        for (const line of (await readFile(join(root, folder, f), 'utf8')).split('\n').slice(0, -1)) {
          expect(line.endsWith(`,${day}`)).toBe(true);
          written.push(line.slice(0, -9));
        }
      }
    }
    expect(written).toEqual(status.data);

    const messages = reader.messages;
    expect(new Set(messages.map((m) => m.value.toString()))).toEqual(new Set(driving));
    expect(messages.every((m) => m.key === null)).toBe(true);
    expect(new Set(messages.flatMap((m) => Object.keys(m.headers)))).toEqual(new Set(['rxflume.event.id']));
  });
});

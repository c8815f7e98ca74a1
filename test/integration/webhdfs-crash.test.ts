/**
 * kill -9 of the agent (the real CLI) while an APPEND to WebHDFS is in flight, then a restart:
 * nothing lost, duplicates only within the in-flight window, no file under a final name that is
 * partial, nothing left in use, and the spool file completed only after its events are in HDFS.
 * The emulator runs in the test process; the late APPEND lands after the kill (its datanode
 * held the lease), so recovery has to cut bytes that were never acknowledged.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { STATUS_HEADER, statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { killAll, startCli } from '../support/cli.js';
import { listFiles } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';
import { WebHdfsEmulator } from '../support/webhdfs/emulator.js';

const MAX_EVENTS = 10_000;
const SINK_BATCH = 2000;

function writeConfig(dir: string, url: string): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    `
agent: { id: crash-agent, stateDir: ${dir}/state, drainTimeoutMs: 20000 }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  status:
    type: spooldir
    spoolDir: ${dir}/spool
    minFileAgeMs: 100
    pollDelay: 50
    deletePolicy: immediate
    schema: smartcar.CarStatus
    interceptors: [{ type: regex_filter, regex: '^\\d{14}' }]
    buffer: { maxEvents: ${MAX_EVENTS} }
    sinks: [status_out]
sinks:
  status_out:
    type: hdfs
    url: ${url}
    user: flume
    requestTimeoutMs: 2000
    path: /status
    filePrefix: status
    fileSuffix: .log
    rollSize: 300KB
    rollInterval: 0
    batchSize: ${SINK_BATCH}
    batchTimeoutMs: 20
    retry: { initialDelayMs: 50, maxDelayMs: 500 }
`,
  );
  return file;
}

describe('kill -9 during a WebHDFS upload', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    killAll();
    await cleanup();
  });

  it('loses nothing and leaves no partial or in-use file after a restart', { timeout: 240_000 }, async () => {
    const t = await tempDir();
    const emulator = await WebHdfsEmulator.start(join(t.dir, 'namespace'));
    cleanup = async () => {
      await emulator.stop();
      await t.cleanup();
    };
    const config = writeConfig(t.dir, emulator.url());
    mkdirSync(join(t.dir, 'spool'), { recursive: true });
    const name = statusFileName('20160103');
    const status = writeStatusDay({ date: '20160103', cars: 5, file: join(t.dir, 'work', name), seed: 5 });
    const source = readFileSync(join(t.dir, 'work', name), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && l !== STATUS_HEADER);
    renameSync(join(t.dir, 'work', name), join(t.dir, 'spool', name));

    let agent = startCli(['run', '-c', config, '--log-level', 'warn']);
    await waitFor(() => emulator.count('APPEND', 'datanode') >= 3, { timeoutMs: 60_000, what: 'a few APPENDs' });
    // The next APPEND is held by the datanode; kill -9 while it is in flight.
    const before = emulator.count('APPEND', 'datanode');
    emulator.fail({ op: 'APPEND', delayMs: 1500 });
    await waitFor(() => emulator.count('APPEND', 'datanode') > before, { timeoutMs: 60_000, what: 'the held APPEND' });
    agent.child.kill('SIGKILL');
    await agent.exit;
    expect(existsSync(join(t.dir, 'spool', name))).toBe(true);
    // The held APPEND lands after the kill: the in-use file grows past its acknowledged length.
    const saved = JSON.parse(readFileSync(join(t.dir, 'state', 'sink-status_out.json'), 'utf8')) as {
      state: { files: { inUse: string; durable: number }[] };
    };
    const [entry] = saved.state.files;
    if (!entry) throw new Error('no in-use file recorded at the kill');
    await waitFor(() => existsSync(emulator.local(entry.inUse)) && statSync(emulator.local(entry.inUse)).size > entry.durable, {
      what: 'the late APPEND to land',
    });

    agent = startCli(['run', '-c', config, '--log-level', 'warn']);
    await waitFor(() => !existsSync(join(t.dir, 'spool', name)), {
      timeoutMs: 180_000,
      intervalMs: 100,
      what: 'the spool file to be completed',
    });
    agent.child.kill('SIGTERM');
    expect((await agent.exit).code).toBe(0);

    const root = emulator.namespace.root;
    const files = await listFiles(root);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const parser = createCsvParser(loadSchemaRegistry().get('smartcar.CarStatus'));
    const written: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      expect(text.endsWith('\n'), `${f} ends with a whole line`).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        expect(parser.parse(Buffer.from(line)).ok, `${f}: ${line.slice(0, 40)}`).toBe(true);
        written.push(line);
      }
    }
    const unique = new Set(written);
    const duplicates = written.length - unique.size;
    console.log(`webhdfs kill -9: in=${status.dataLines} delivered=${unique.size} duplicates=${duplicates} files=${files.length}`);
    expect(unique.size).toBe(source.length);
    for (const line of source) if (!unique.has(line)) throw new Error(`lost: ${line}`);
    expect(duplicates).toBeLessThanOrEqual(MAX_EVENTS + SINK_BATCH);
  });
});

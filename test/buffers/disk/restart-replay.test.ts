/**
 * Restart replay with the real CLI: the WebHDFS sink refuses every write, so the disk buffer
 * takes the lines and the spool file is completed although no line reached HDFS; kill -9; the
 * restarted agent (sink healthy again) delivers every line from the log. Nothing lost; ids of
 * replayed events unchanged (duplicates, if any, are whole lines seen twice).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startCli } from '../../support/cli.js';
import { listFiles } from '../../support/pilot.js';
import { tempDir, waitFor } from '../../support/wait.js';
import { WebHdfsEmulator } from '../../support/webhdfs/emulator.js';
import { numberedLines, segmentFiles } from './support.js';

function writeConfig(dir: string, url: string): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    `
agent: { id: disk-agent, stateDir: ${dir}/state, drainTimeoutMs: 10000 }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  lines:
    type: spooldir
    spoolDir: ${dir}/spool
    minFileAgeMs: 0
    pollDelay: 50
    buffer: { type: disk, segmentBytes: 128KiB, fsync: batch }
    sinks: [out]
sinks:
  out:
    type: hdfs
    url: ${url}
    user: flume
    requestTimeoutMs: 2000
    path: /out
    filePrefix: lines
    fileSuffix: .log
    format: text
    rollSize: 200KB
    rollInterval: 0
    idleTimeout: 1
    batchSize: 500
    batchTimeoutMs: 20
    retry: { initialDelayMs: 50, maxDelayMs: 300 }
`,
  );
  return file;
}

async function hdfsLines(root: string): Promise<string[]> {
  const files = (await listFiles(root)).filter((f) => f.startsWith('out/') && f.endsWith('.log'));
  return files.flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').slice(0, -1));
}

describe('disk buffer restart replay (real CLI, kill -9)', () => {
  let cleanup: () => Promise<void> = async () => {};
  let emulator: WebHdfsEmulator | undefined;
  afterEach(async () => {
    killAll();
    await emulator?.stop();
    emulator = undefined;
    await cleanup();
  });

  it('acknowledges the source from the log while the sink is down, and delivers everything after kill -9 and restart', async () => {
    const t = await tempDir('rxflume-disk-replay-');
    cleanup = t.cleanup;
    const hdfsRoot = join(t.dir, 'hdfs');
    mkdirSync(hdfsRoot);
    mkdirSync(join(t.dir, 'spool'));
    emulator = await WebHdfsEmulator.start(hdfsRoot);
    for (const op of ['CREATE', 'APPEND'])
      emulator.fail({ op, stage: 'namenode', status: 503, exception: 'RetriableException', times: 1e9 });
    const config = writeConfig(t.dir, emulator.url());
    const lines = numberedLines('line', 20_000);
    writeFileSync(join(t.dir, 'part-1.tmp'), `${lines.join('\n')}\n`);
    renameSync(join(t.dir, 'part-1.tmp'), join(t.dir, 'spool', 'part-1.txt'));

    const first = startCli(['run', '-c', config]);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-1.txt.COMPLETED')), {
      timeoutMs: 60_000,
      what: `spool file completed from the disk buffer\n${first.stderr().slice(-2000)}`,
    });
    expect(await hdfsLines(hdfsRoot)).toEqual([]);
    expect(segmentFiles(join(t.dir, 'state', 'buffers', 'lines')).length).toBeGreaterThan(1);
    first.child.kill('SIGKILL');
    await first.exit;

    emulator.clearFaults();
    const second = startCli(['run', '-c', config]);
    await waitFor(async () => (await hdfsLines(hdfsRoot)).length >= lines.length, {
      timeoutMs: 90_000,
      what: `every line in HDFS after the restart\n${second.stderr().slice(-2000)}`,
    });
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
    const got = await hdfsLines(hdfsRoot);
    expect(new Set(got)).toEqual(new Set(lines));
    // The spool file was not read again: the lines came from the log.
    expect(got.length).toBe(lines.length);
  }, 180_000);
});

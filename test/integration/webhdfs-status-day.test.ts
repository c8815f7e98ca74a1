/**
 * Acceptance: one pilot status day (100 cars × 21,601 lines + 100 headers) through the pilot
 * config with its `hdfs` sink pointed at the WebHDFS emulator: exact record count, every record
 * equal to its source line plus the collection date, files rolled at 64 MiB under
 * wrk_date=<collection day>, one CREATE per file, nothing left in use, and the source file
 * removed only after everything was acknowledged.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATUS_HEADER, statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { listFiles, localDay, startPilotAgent } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';
import { WebHdfsEmulator } from '../support/webhdfs/emulator.js';
import { withWebHdfsUrl } from '../support/webhdfs/pilot.js';

describe('pilot status day → HDFS over WebHDFS (emulator)', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterAll(() => cleanup());

  it('carries all 2,160,100 records into complete rolled files', { timeout: 600_000 }, async () => {
    const t = await tempDir();
    const emulator = await WebHdfsEmulator.start(join(t.dir, 'namespace'));
    cleanup = async () => {
      await emulator.stop();
      await t.cleanup();
    };
    const date = '20160101';
    const work = join(t.dir, 'work', statusFileName(date));
    const { dataLines } = writeStatusDay({ date, cars: 100, file: work, seed: 7 });
    expect(dataLines).toBe(2_160_100);

    const startedAt = Date.now();
    const agent = await startPilotAgent(t.dir, (yaml) => withWebHdfsUrl(yaml, emulator.url()));
    const spooled = join(t.dir, 'car-batch-log', statusFileName(date));
    await mkdir(join(t.dir, 'car-batch-log'), { recursive: true });
    await rename(work, spooled);
    await waitFor(() => !existsSync(spooled), {
      timeoutMs: 540_000,
      intervalMs: 200,
      what: 'the spool file to be deleted after full acknowledgement',
    });
    const elapsedMs = Date.now() - startedAt;
    const { drained } = await agent.stop();
    console.log(`status day over WebHDFS: 2,160,200 lines in ${(elapsedMs / 1000).toFixed(1)} s (information only, not asserted)`);
    expect(drained).toBe(true);
    const collectDay = localDay(startedAt);

    const root = emulator.namespace.root;
    const files = await listFiles(root);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const dir = `pilot-pjt/collect/car-batch-log/wrk_date=${collectDay}/`;
    expect(files.every((f) => f.startsWith(dir))).toBe(true);
    const outputs = files.filter((f) => f.startsWith(`${dir}car-batch-log.test-agent.`) && f.endsWith('.log'));
    expect(outputs).toEqual(files);
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    const sizes = outputs.map((f) => statSync(join(root, f)).size);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(67_108_864);
    // One CREATE per file (no duplicate or abandoned files), published by one RENAME each after
    // one TRUNCATE to its own length (the lease check).
    expect(emulator.count('CREATE', 'datanode')).toBe(outputs.length);
    expect(emulator.count('RENAME')).toBe(outputs.length);
    expect(emulator.count('TRUNCATE')).toBe(outputs.length);

    const expectedFile = join(t.dir, 'expected', statusFileName(date));
    writeStatusDay({ date, cars: 100, file: expectedFile, seed: 7 });
    const expected = (await readFile(expectedFile, 'utf8')).split('\n').filter((l) => l !== '' && l !== STATUS_HEADER);
    let written: string[] = [];
    for (const f of outputs) written = written.concat((await readFile(join(root, f), 'utf8')).split('\n').slice(0, -1));
    expect(written.length).toBe(2_160_100);
    let mismatches = 0;
    for (let i = 0; i < expected.length; i++) if (written[i] !== `${expected[i]},${collectDay}`) mismatches++;
    expect(mismatches).toBe(0);
  });
});

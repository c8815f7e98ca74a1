/**
 * Acceptance: one pilot status day (100 cars × 21,601 lines + 100 headers) through the pilot
 * config with its `hdfs` sink pointed at the WebHDFS emulator: exact record count, every record
 * equal to its source line plus the collection date, files rolled at 64 MiB under
 * wrk_date=<collection day>, one CREATE per file, nothing left in use, and the source file
 * removed only after everything was acknowledged.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, startPilotAgent } from '../support/pilot.js';
import { expectedStatusLines, mismatches, readTextLines, spoolStatusDay } from '../support/status-day.js';
import { tempDir } from '../support/wait.js';
import { WebHdfsEmulator } from '../support/webhdfs/emulator.js';

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
    const run = await spoolStatusDay(t.dir, () =>
      startPilotAgent(t.dir, undefined, { RXFLUME_HDFS_URL: emulator.url(), RXFLUME_HDFS_USER: 'flume' }),
    );
    expect(run.dataLines).toBe(2_160_100);
    console.log(`status day over WebHDFS: 2,160,200 lines in ${(run.elapsedMs / 1000).toFixed(1)} s (information only, not asserted)`);
    expect(run.drained).toBe(true);

    const root = emulator.namespace.root;
    const files = await listFiles(root);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const dir = `pilot-pjt/collect/car-batch-log/wrk_date=${run.collectDay}/`;
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

    const written = await readTextLines(root, outputs);
    expect(written.length).toBe(2_160_100);
    expect(mismatches(written, await expectedStatusLines(t.dir, run.collectDay))).toBe(0);
  });
});

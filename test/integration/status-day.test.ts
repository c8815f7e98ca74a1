/**
 * Acceptance: one pilot status day (100 cars × 21,601 lines + 100 headers) through the pilot
 * config's spooldir → interceptors → HDFS-layout pipeline: exact record count, every record equal
 * to its source line plus the collection date and valid against the schema, headers gone, files
 * rolled at 64 MiB and complete, source file removed only after everything was acknowledged.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { STATUS_HEADER, statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { listFiles, localDay, startPilotAgent } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

describe('pilot status day → HDFS layout', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterAll(() => cleanup());

  it('carries all 2,160,100 records, equal to the source plus collection date', { timeout: 600_000 }, async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const date = '20160101';
    const work = join(t.dir, 'work', statusFileName(date));
    const { dataLines, headerLines } = writeStatusDay({ date, cars: 100, file: work, seed: 7 });
    expect(dataLines).toBe(2_160_100);
    expect(headerLines).toBe(100);

    const startedAt = Date.now();
    const agent = await startPilotAgent(t.dir);
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
    console.log(`status day: 2,160,200 lines spooled → HDFS layout in ${(elapsedMs / 1000).toFixed(1)} s (information only, not asserted)`);
    expect(drained).toBe(true);
    const collectDay = localDay(startedAt);

    const hdfs = join(t.dir, 'hdfs');
    const files = await listFiles(hdfs);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const outputs = files.filter((f) => f.startsWith(`pilot-pjt/collect/car-batch-log/wrk_date=${collectDay}/car-batch-log.`));
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    // Rolled at 64 MiB: every file but the last reaches the roll size.
    const sizes = outputs.map((f) => statSync(join(hdfs, f)).size);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(67_108_864);

    const source = (await readFile(await sourceCopy(t.dir, date), 'utf8')).split('\n');
    const expected = source.filter((l) => l !== '' && l !== STATUS_HEADER).map((l) => `${l},${collectDay}`);
    let written: string[] = [];
    for (const f of outputs) {
      const text = await readFile(join(hdfs, f), 'utf8');
      written = written.concat(text.split('\n').slice(0, -1));
    }
    expect(written.length).toBe(2_160_100);
    expect(written.length).toBe(expected.length);
    let mismatches = 0;
    for (let i = 0; i < expected.length; i++) if (written[i] !== expected[i]) mismatches++;
    expect(mismatches).toBe(0);

    const parser = createCsvParser(loadSchemaRegistry().get('smartcar.CarStatus'));
    let invalid = 0;
    for (const line of written) if (!parser.parse(Buffer.from(line)).ok) invalid++;
    expect(invalid).toBe(0);
    expect(await agent.metrics.value('rxflume_events_rejected_total', { reason: 'filtered' })).toBe(100);
  });
});

/** The spool file is deleted by the pipeline; regenerate the same seeded day to compare against. */
async function sourceCopy(dir: string, date: string): Promise<string> {
  const file = join(dir, 'expected', statusFileName(date));
  writeStatusDay({ date, cars: 100, file, seed: 7 });
  return file;
}

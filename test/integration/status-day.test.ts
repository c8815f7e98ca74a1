/**
 * Acceptance: one pilot status day (100 cars × 21,601 lines + 100 headers) through the pilot
 * config's spooldir → interceptors → HDFS-layout pipeline: exact record count, every record equal
 * to its source line plus the collection date and valid against the schema, headers gone, files
 * rolled at 64 MiB and complete, source file removed only after everything was acknowledged.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { listFiles, startPilotAgent } from '../support/pilot.js';
import { expectedStatusLines, mismatches, readTextLines, spoolStatusDay } from '../support/status-day.js';
import { tempDir } from '../support/wait.js';

describe('pilot status day → HDFS layout', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterAll(() => cleanup());

  it('carries all 2,160,100 records, equal to the source plus collection date', { timeout: 600_000 }, async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const run = await spoolStatusDay(t.dir, () => startPilotAgent(t.dir));
    expect(run.dataLines).toBe(2_160_100);
    expect(run.headerLines).toBe(100);
    console.log(
      `status day: 2,160,200 lines spooled → HDFS layout in ${(run.elapsedMs / 1000).toFixed(1)} s (information only, not asserted)`,
    );
    expect(run.drained).toBe(true);

    const hdfs = join(t.dir, 'hdfs');
    const files = await listFiles(hdfs);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const outputs = files.filter((f) => f.startsWith(`pilot-pjt/collect/car-batch-log/wrk_date=${run.collectDay}/car-batch-log.`));
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    // Rolled at 64 MiB: every file but the last reaches the roll size.
    const sizes = outputs.map((f) => statSync(join(hdfs, f)).size);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(67_108_864);

    const expected = await expectedStatusLines(t.dir, run.collectDay);
    const written = await readTextLines(hdfs, outputs);
    expect(written.length).toBe(2_160_100);
    expect(mismatches(written, expected)).toBe(0);

    const parser = createCsvParser(loadSchemaRegistry().get('smartcar.CarStatus'), { worker: false });
    let invalid = 0;
    for (const line of written) if (!parser.parse(Buffer.from(line)).ok) invalid++;
    expect(invalid).toBe(0);
    expect(await run.agent.metrics.value('rxflume_events_rejected_total', { reason: 'filtered' })).toBe(100);
  });
});

/**
 * The per-file lag series of a real spooling-directory source (`file` is the only open-ended label):
 * it exists while a file is read and is gone once the file is finished or quarantined, even when
 * the file's last events are acknowledged after it was moved away.
 */
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/metrics/metrics.js';
import { lines, spoolFile, useSpoolDirs } from '../sources/spooldir/harness.js';
import { waitFor } from '../support/wait.js';

const dirs = useSpoolDirs();

async function lagFiles(metrics: Metrics): Promise<string[]> {
  const data = await metrics.registry.getSingleMetric('rxflume_source_lag_bytes')?.get();
  return (data?.values ?? []).map((v) => String(v.labels.file)).sort();
}

describe('source lag series (spooldir)', () => {
  it('is removed when a file completes', async () => {
    await spoolFile(dirs.spoolDir, 'a.txt', `${lines('a', 200).join('\n')}\n`);
    const r = dirs.start({ autoAck: false });
    await waitFor(() => r.events.length === 200, { what: 'a.txt read' });
    expect(await lagFiles(r.ctx.metrics)).toEqual([join(dirs.spoolDir, 'a.txt')]);
    r.settle();
    await waitFor(async () => (await readdir(dirs.spoolDir)).includes('a.txt.COMPLETED'), { what: 'a finished' });
    await waitFor(async () => (await lagFiles(r.ctx.metrics)).length === 0, { what: 'lag series removed' });
  });

  it('stays removed when a quarantined file’s last events are acknowledged after the move', async () => {
    const a = lines('a', 200);
    await spoolFile(dirs.spoolDir, 'a.txt', `${a.join('\n')}\n`, 20_000);
    const r = dirs.start({ autoAck: false, gate: { maxEvents: 100 }, config: { batchSize: 50 } });
    // The file is one read chunk, parked on a full gate mid-file; the writer comes back, then the
    // source admits the rest, sees the change and quarantines the file with 100 events in flight.
    await waitFor(() => r.events.length === 100, { what: 'gate full mid-file' });
    await appendFile(join(dirs.spoolDir, 'a.txt'), 'late-line\n');
    r.settle(100);
    const quarantined = async () => (await r.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'quarantined' })) === 1;
    await waitFor(quarantined, { what: 'a.txt quarantined' });
    expect(r.events.length).toBe(200);
    expect(await lagFiles(r.ctx.metrics)).toEqual([]);
    // The in-flight events are acknowledged now, after the move: the series must not come back.
    r.settle();
    await waitFor(() => r.ctx.gate.inFlightEvents === 0, { what: 'credit returned' });
    expect(await lagFiles(r.ctx.metrics)).toEqual([]);
  });
});

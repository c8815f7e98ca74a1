import { appendFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../support/wait.js';
import { lines, spoolFile, useSpoolDirs } from './harness.js';

const dirs = useSpoolDirs();

const quarantine = () => join(dirs.spoolDir, '.quarantine');

describe('spooldir faults', () => {
  it('quarantines a file modified while being read; lines already emitted stay, the next file is processed', async () => {
    const a = lines('a', 1000);
    const b = lines('b', 50);
    await spoolFile(dirs.spoolDir, 'a.txt', `${a.join('\n')}\n`, 20_000);
    await spoolFile(dirs.spoolDir, 'b.txt', `${b.join('\n')}\n`, 10_000);
    const r = dirs.start({ autoAck: false, gate: { maxEvents: 100 }, config: { batchSize: 50, readChunkBytes: 2048 } });
    // The source is parked on a full gate in the middle of a.txt: the writer comes back.
    await waitFor(() => r.events.length === 100, { what: 'gate full mid-file' });
    await appendFile(join(dirs.spoolDir, 'a.txt'), 'late-line\n');
    r.autoAck = true;
    r.settle();
    await waitFor(async () => (await readdir(dirs.spoolDir)).includes('b.txt.COMPLETED'), { what: 'b finished' });

    expect(await readdir(quarantine())).toEqual(['a.txt']);
    expect(await readdir(dirs.spoolDir)).not.toContain('a.txt');
    const bodies = r.bodies();
    const fromA = bodies.filter((x) => x.startsWith('a-'));
    expect(fromA.length).toBeGreaterThanOrEqual(100);
    expect(fromA).toEqual(a.slice(0, fromA.length)); // a prefix, in order, no gaps
    expect(bodies.slice(fromA.length)).toEqual(b);
    await waitFor(async () => (await r.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'quarantined' })) === 1, {
      what: '1 quarantined',
    });
    await waitFor(async () => (await r.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'completed' })) === 1, {
      what: '1 completed',
    });
    await waitFor(() => r.ctx.gate.inFlightEvents === 0, { what: 'credit returned' });
  });

  it('quarantines an entry that cannot be read (a directory: EISDIR) and goes on', async () => {
    await mkdir(join(dirs.spoolDir, 'not-a-file.txt'));
    await spoolFile(dirs.spoolDir, 'ok.txt', 'fine\n');
    const run = dirs.start();
    await waitFor(async () => (await readdir(dirs.spoolDir)).includes('ok.txt.COMPLETED'), { what: 'ok finished' });
    await waitFor(async () => (await readdir(quarantine()).catch((): string[] => [])).includes('not-a-file.txt'), {
      what: 'dir quarantined',
    });
    expect(run.bodies()).toEqual(['fine']);
    await waitFor(async () => (await run.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'quarantined' })) === 1, {
      what: '1 quarantined',
    });
  });

  it('keeps polling when the spool folder is missing, and starts reading once it appears', async () => {
    const later = join(dirs.spoolDir, 'later');
    const run = dirs.start({ spoolDir: later });
    await sleep(100); // a few polls fail on the missing folder; none may end the source
    await mkdir(later);
    await spoolFile(later, 'x.txt', 'x\n');
    await waitFor(async () => (await readdir(later)).includes('x.txt.COMPLETED'), { what: 'read after the folder appeared' });
    expect(run.bodies()).toEqual(['x']);
  });
});

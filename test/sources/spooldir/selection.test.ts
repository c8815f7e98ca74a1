import { mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../support/wait.js';
import { spoolFile, useSpoolDirs } from './harness.js';

const dirs = useSpoolDirs();

const completed = async () => (await readdir(dirs.spoolDir)).filter((n) => n.endsWith('.COMPLETED')).sort();

describe('spooldir file selection', () => {
  it('respects includePattern, ignorePattern, in-progress suffixes and hidden files', async () => {
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160101.txt', 'keep-1\n', 30_000);
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160102.txt', 'keep-2\n', 20_000);
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160103.bak', 'ignored-pattern\n');
    await spoolFile(dirs.spoolDir, 'other.txt', 'not-included\n');
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160104.txt.tmp', 'in-progress-tmp\n');
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160105.txt.part', 'in-progress-part\n');
    await spoolFile(dirs.spoolDir, '.SmartCarStatusInfo_20160106.txt', 'hidden\n');
    const run = dirs.start({ config: { includePattern: '^SmartCarStatusInfo_\\d{8}\\.', ignorePattern: '\\.bak$' } });
    await waitFor(async () => (await completed()).length === 2, { what: 'two included files done' });
    await sleep(150); // several polls: nothing else may be picked up
    expect(run.bodies()).toEqual(['keep-1', 'keep-2']);
    expect((await readdir(dirs.spoolDir)).sort()).toEqual([
      '.SmartCarStatusInfo_20160106.txt',
      'SmartCarStatusInfo_20160101.txt.COMPLETED',
      'SmartCarStatusInfo_20160102.txt.COMPLETED',
      'SmartCarStatusInfo_20160103.bak',
      'SmartCarStatusInfo_20160104.txt.tmp',
      'SmartCarStatusInfo_20160105.txt.part',
      'other.txt',
    ]);
  });

  it('waits for a file to be minFileAgeMs old', async () => {
    await spoolFile(dirs.spoolDir, 'old.txt', 'old\n', 10 * 60_000);
    await spoolFile(dirs.spoolDir, 'young.txt', 'young\n', 0);
    const run = dirs.start({ config: { minFileAgeMs: 5 * 60_000 } });
    await waitFor(async () => (await completed()).includes('old.txt.COMPLETED'), { what: 'old file done' });
    await sleep(150);
    expect(run.bodies()).toEqual(['old']);
    expect(await readdir(dirs.spoolDir)).toContain('young.txt');
    // The writer is done: the file ages past the threshold.
    const t = (Date.now() - 6 * 60_000) / 1000;
    await utimes(join(dirs.spoolDir, 'young.txt'), t, t);
    await waitFor(async () => (await completed()).includes('young.txt.COMPLETED'), { what: 'young file done once old enough' });
    expect(run.bodies()).toEqual(['old', 'young']);
  });

  it('consumeOrder youngest reads the newest file first, ties by name', async () => {
    await spoolFile(dirs.spoolDir, 'a.txt', 'a\n', 50_000);
    const b = await spoolFile(dirs.spoolDir, 'b.txt', 'b\n');
    const c = await spoolFile(dirs.spoolDir, 'c.txt', 'c\n');
    const t = Math.floor(Date.now() / 1000) - 10; // b and c: the same mtime
    await utimes(b, t, t);
    await utimes(c, t, t);
    const run = dirs.start({ config: { consumeOrder: 'youngest' } });
    await waitFor(async () => (await completed()).length === 3, { what: 'all done' });
    expect(run.bodies()).toEqual(['b', 'c', 'a']);
  });

  it('consumeOrder random still reads every file exactly once', async () => {
    for (let i = 0; i < 6; i++) await spoolFile(dirs.spoolDir, `f${i}.txt`, `line-${i}\n`);
    const run = dirs.start({ config: { consumeOrder: 'random' } });
    await waitFor(async () => (await completed()).length === 6, { what: 'all done' });
    expect(run.bodies().sort()).toEqual(['line-0', 'line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
  });

  it('picks up files that arrive later, and never scans a quarantine folder inside the spool dir', async () => {
    const quarantineDir = join(dirs.spoolDir, 'quarantine');
    await mkdir(quarantineDir);
    await spoolFile(quarantineDir, 'stale.txt', 'stale\n');
    const t = (Date.now() - 60_000) / 1000;
    await utimes(quarantineDir, t, t); // old enough to be picked, were it not excluded
    const run = dirs.start({ config: { quarantineDir } });
    await sleep(100);
    await spoolFile(dirs.spoolDir, 'late.txt', 'late\n');
    await waitFor(async () => (await completed()).includes('late.txt.COMPLETED'), { what: 'late file done' });
    expect(run.bodies()).toEqual(['late']);
    expect(await readdir(quarantineDir)).toEqual(['stale.txt']);
  });
});

import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { sleep, waitFor } from '../../support/wait.js';
import { lines, spoolFile, useSpoolDirs } from './harness.js';

const dirs = useSpoolDirs();

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('spooldir delivery', () => {
  it('delivers every line once, files in mtime order, renamed only after all their acks', async () => {
    const a = lines('a', 30);
    const b = lines('b', 20);
    const c = lines('c', 10);
    // Names deliberately not in mtime order: oldest is c, then a, then b.
    await spoolFile(dirs.spoolDir, 'a.log', `${a.join('\n')}\n`, 50_000);
    await spoolFile(dirs.spoolDir, 'b.log', `${b.join('\n')}\n`, 40_000);
    await spoolFile(dirs.spoolDir, 'c.log', `${c.join('\n')}\n`, 60_000);
    const run = dirs.start({ autoAck: false, config: { batchSize: 7 } });

    await waitFor(() => run.events.length === 60, { what: 'all 60 lines' });
    expect(run.bodies()).toEqual([...c, ...a, ...b]);
    await sleep(100); // give a wrong implementation the chance to rename early
    expect((await readdir(dirs.spoolDir)).sort()).toEqual(['a.log', 'b.log', 'c.log']);

    run.settle(9); // all of c but one
    await sleep(100);
    expect(await exists(join(dirs.spoolDir, 'c.log'))).toBe(true);
    run.settle(1); // the last line of c
    await waitFor(() => exists(join(dirs.spoolDir, 'c.log.COMPLETED')), { what: 'c renamed' });
    expect(await exists(join(dirs.spoolDir, 'a.log'))).toBe(true);

    run.settle();
    await waitFor(async () => (await readdir(dirs.spoolDir)).filter((n) => n.endsWith('.COMPLETED')).length === 3, { what: 'all renamed' });
    await waitFor(async () => (await run.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'completed' })) === 3, {
      what: '3 completed',
    });
    expect(run.ctx.gate.inFlightEvents).toBe(0);
    // Ids are stable (source:fileKey:offset) and unique.
    expect(new Set(run.events.map((e) => e.id)).size).toBe(60);
    expect(run.events[1]?.position.offset).toBe(run.events[0]?.position.end);
  });

  it('deletes finished files with deletePolicy immediate', async () => {
    await spoolFile(dirs.spoolDir, 'one.txt', 'x\ny\n');
    await spoolFile(dirs.spoolDir, 'two.txt', 'z\n');
    const run = dirs.start({ config: { deletePolicy: 'immediate' } });
    await waitFor(async () => (await readdir(dirs.spoolDir)).length === 0, { what: 'files deleted' });
    expect(run.bodies()).toEqual(['x', 'y', 'z']);
    await waitFor(async () => (await run.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'deleted' })) === 2, {
      what: '2 deleted',
    });
  });

  it('delivers a last line without newline, strips CR, and completes zero-byte files at once', async () => {
    await spoolFile(dirs.spoolDir, 'a.txt', 'first\r\nsecond\nno-newline', 30_000);
    await spoolFile(dirs.spoolDir, 'empty.txt', '', 20_000);
    const run = dirs.start({ config: { fileHeader: true, basenameHeader: true } });
    await waitFor(async () => (await readdir(dirs.spoolDir)).sort().join() === 'a.txt.COMPLETED,empty.txt.COMPLETED', {
      what: 'both done',
    });
    expect(run.bodies()).toEqual(['first', 'second', 'no-newline']);
    const last = run.events[2];
    expect(last?.position.end).toBe(Buffer.byteLength('first\r\nsecond\nno-newline'));
    expect(last?.headers).toEqual({ file: join(dirs.spoolDir, 'a.txt'), basename: 'a.txt' });
  });

  it('flags a 5 MB line without breaking its neighbours', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x78);
    await spoolFile(dirs.spoolDir, 'big.txt', Buffer.concat([Buffer.from('before\n'), huge, Buffer.from('\nafter\n')]));
    const run = dirs.start();
    await waitFor(() => exists(join(dirs.spoolDir, 'big.txt.COMPLETED')), { what: 'big done' });
    expect(run.events).toHaveLength(3);
    const [before, flagged, after] = run.events;
    expect(before?.body.toString()).toBe('before');
    expect(before?.error).toBeUndefined();
    expect(flagged?.error?.code).toBe(ErrorCodes.LINE_TOO_LONG);
    expect(flagged?.body.length).toBeLessThanOrEqual(1024 * 1024);
    expect(flagged?.position.end).toBe(7 + huge.length + 1);
    expect(after?.body.toString()).toBe('after');
    expect(after?.error).toBeUndefined();
  });

  it('never overwrites an existing finished name', async () => {
    await writeFile(join(dirs.spoolDir, 'dup.txt.COMPLETED'), 'old\n');
    await spoolFile(dirs.spoolDir, 'dup.txt', 'new\n');
    const run = dirs.start();
    await waitFor(async () => (await readdir(dirs.spoolDir)).length === 2 && !(await exists(join(dirs.spoolDir, 'dup.txt'))), {
      what: 'dup finished',
    });
    const names = await readdir(dirs.spoolDir);
    expect(names).toContain('dup.txt.COMPLETED');
    expect(await readFile(join(dirs.spoolDir, 'dup.txt.COMPLETED'), 'utf8')).toBe('old\n');
    expect(names.find((n) => n !== 'dup.txt.COMPLETED')).toMatch(/^dup\.txt\.\d+\.COMPLETED$/);
    expect(run.bodies()).toEqual(['new']);
  });
});

import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';
import { lines, type SpoolRun, spoolFile, startSpool } from './harness.js';

let spool: { dir: string; cleanup: () => Promise<void> };
let state: { dir: string; cleanup: () => Promise<void> };
let run: SpoolRun | undefined;

beforeEach(async () => {
  spool = await tempDir('rxflume-spool-');
  state = await tempDir('rxflume-state-');
});

afterEach(async () => {
  await run?.stop();
  run = undefined;
  await spool.cleanup();
  await state.cleanup();
});

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
    await spoolFile(spool.dir, 'a.log', `${a.join('\n')}\n`, 50_000);
    await spoolFile(spool.dir, 'b.log', `${b.join('\n')}\n`, 40_000);
    await spoolFile(spool.dir, 'c.log', `${c.join('\n')}\n`, 60_000);
    run = startSpool({ spoolDir: spool.dir, stateDir: state.dir, autoAck: false, config: { batchSize: 7 } });

    await waitFor(() => run?.events.length === 60, { what: 'all 60 lines' });
    expect(run.bodies()).toEqual([...c, ...a, ...b]);
    await sleep(100); // give a wrong implementation the chance to rename early
    expect((await readdir(spool.dir)).sort()).toEqual(['a.log', 'b.log', 'c.log']);

    run.settle(9); // all of c but one
    await sleep(100);
    expect(await exists(join(spool.dir, 'c.log'))).toBe(true);
    run.settle(1); // the last line of c
    await waitFor(() => exists(join(spool.dir, 'c.log.COMPLETED')), { what: 'c renamed' });
    expect(await exists(join(spool.dir, 'a.log'))).toBe(true);

    run.settle();
    await waitFor(async () => (await readdir(spool.dir)).filter((n) => n.endsWith('.COMPLETED')).length === 3, { what: 'all renamed' });
    await waitFor(async () => (await run?.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'completed' })) === 3, {
      what: '3 completed',
    });
    expect(run.ctx.gate.inFlightEvents).toBe(0);
    // Ids are stable (source:fileKey:offset) and unique.
    expect(new Set(run.events.map((e) => e.id)).size).toBe(60);
    expect(run.events[1]?.position.offset).toBe(run.events[0]?.position.end);
  });

  it('deletes finished files with deletePolicy immediate', async () => {
    await spoolFile(spool.dir, 'one.txt', 'x\ny\n');
    await spoolFile(spool.dir, 'two.txt', 'z\n');
    run = startSpool({ spoolDir: spool.dir, stateDir: state.dir, config: { deletePolicy: 'immediate' } });
    await waitFor(async () => (await readdir(spool.dir)).length === 0, { what: 'files deleted' });
    expect(run.bodies()).toEqual(['x', 'y', 'z']);
    await waitFor(async () => (await run?.ctx.metrics.value('rxflume_spool_files_total', { outcome: 'deleted' })) === 2, {
      what: '2 deleted',
    });
  });

  it('delivers a last line without newline, strips CR, and completes zero-byte files at once', async () => {
    await spoolFile(spool.dir, 'a.txt', 'first\r\nsecond\nno-newline', 30_000);
    await spoolFile(spool.dir, 'empty.txt', '', 20_000);
    run = startSpool({ spoolDir: spool.dir, stateDir: state.dir, config: { fileHeader: true, basenameHeader: true } });
    await waitFor(async () => (await readdir(spool.dir)).sort().join() === 'a.txt.COMPLETED,empty.txt.COMPLETED', { what: 'both done' });
    expect(run.bodies()).toEqual(['first', 'second', 'no-newline']);
    const last = run.events[2];
    expect(last?.position.end).toBe(Buffer.byteLength('first\r\nsecond\nno-newline'));
    expect(last?.headers).toEqual({ file: join(spool.dir, 'a.txt'), basename: 'a.txt' });
  });

  it('flags a 5 MB line without breaking its neighbours', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x78);
    await spoolFile(spool.dir, 'big.txt', Buffer.concat([Buffer.from('before\n'), huge, Buffer.from('\nafter\n')]));
    run = startSpool({ spoolDir: spool.dir, stateDir: state.dir });
    await waitFor(() => exists(join(spool.dir, 'big.txt.COMPLETED')), { what: 'big done' });
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
    await writeFile(join(spool.dir, 'dup.txt.COMPLETED'), 'old\n');
    await spoolFile(spool.dir, 'dup.txt', 'new\n');
    run = startSpool({ spoolDir: spool.dir, stateDir: state.dir });
    await waitFor(async () => (await readdir(spool.dir)).length === 2 && !(await exists(join(spool.dir, 'dup.txt'))), {
      what: 'dup finished',
    });
    const names = await readdir(spool.dir);
    expect(names).toContain('dup.txt.COMPLETED');
    expect(await readFile(join(spool.dir, 'dup.txt.COMPLETED'), 'utf8')).toBe('old\n');
    expect(names.find((n) => n !== 'dup.txt.COMPLETED')).toMatch(/^dup\.txt\.\d+\.COMPLETED$/);
    expect(run.bodies()).toEqual(['new']);
  });
});

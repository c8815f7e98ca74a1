import { copyFileSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineRange, readSavedTail, startTail, type TailRun, useTailDirs, Writer } from './harness.js';

const L = (from: number, to: number) => lineRange('L', from, to);

// Race 4 of docs/tail-follower.md: two rotations between two looks. Every rotation sequence runs
// in one synchronous block, so the follower (same process) cannot look in between: it sees only
// the state before and the state after, like an agent held by SIGSTOP. Each test ends with a
// sentinel line appended to the name, so a duplicate or a late line would show up before it.
describe('tail source: rotations the follower did not see between two looks', () => {
  const dirs = useTailDirs('rxflume-tail-unseen-', 'SmartCarDriverInfo.log');

  function start(autoAck = true): TailRun {
    return dirs.track(startTail({ path: dirs.path, stateDir: dirs.stateDir, autoAck, config: { watch: false } }));
  }

  const unseen = (run: TailRun) => run.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'unseen' });

  /** 1,000 lines delivered; then 500 appended, rename to .1 + new log, 500, copytruncate to .c1, 500. */
  async function renameThenCopyTruncate(run: TailRun, writer: Writer, extra?: () => void): Promise<Writer> {
    await run.waitForCount(1000);
    writer.lines(L(1000, 1500));
    renameSync(dirs.path, `${dirs.path}.1`);
    writer.close();
    const next = new Writer(dirs.path);
    next.lines(L(1500, 2000));
    copyFileSync(dirs.path, `${dirs.path}.c1`);
    truncateSync(dirs.path, 0);
    next.lines(L(2000, 2500));
    extra?.();
    return next;
  }

  async function finish(run: TailRun, writer: Writer, expected: string[]): Promise<void> {
    writer.lines(['sentinel']);
    writer.close();
    expected.push('sentinel');
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    expect(new Set(run.events.map((e) => e.id)).size).toBe(expected.length);
  }

  it('rename + create, then copytruncate of the new log: the copy is read before the new log (no loss, no duplicate, in order)', async () => {
    const w = new Writer(dirs.path);
    w.lines(L(0, 1000));
    const run = start();
    const next = await renameThenCopyTruncate(run, w);
    await finish(run, next, L(0, 2500));
    expect(await unseen(run)).toBe(1);
    expect(run.events[1500]!.position.path).toBe(`${dirs.path}.c1`);
  });

  it('rename + rename: the middle file (now .1) is read after the followed one (now .2), then the new log', async () => {
    const w = new Writer(dirs.path);
    w.lines(L(0, 1000));
    const run = start();
    await run.waitForCount(1000);
    w.lines(L(1000, 1500));
    renameSync(dirs.path, `${dirs.path}.1`);
    w.close();
    const middle = new Writer(dirs.path);
    middle.lines(L(1500, 2000));
    renameSync(`${dirs.path}.1`, `${dirs.path}.2`);
    renameSync(dirs.path, `${dirs.path}.1`);
    middle.close();
    const next = new Writer(dirs.path);
    next.lines(L(2000, 2500));
    await finish(run, next, L(0, 2500));
    expect(await unseen(run)).toBe(1);
    expect(await run.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'rename' })).toBe(1);
  });

  it('copytruncate twice: the first copy supplies the rest of our file, the second copy is read in full', async () => {
    const w = new Writer(dirs.path);
    w.lines(L(0, 1000));
    const run = start();
    await run.waitForCount(1000);
    w.lines(L(1000, 1500));
    copyFileSync(dirs.path, `${dirs.path}.c1`);
    truncateSync(dirs.path, 0);
    w.lines(L(1500, 2000));
    copyFileSync(dirs.path, `${dirs.path}.c2`);
    truncateSync(dirs.path, 0);
    w.lines(L(2000, 2500));
    await finish(run, w, L(0, 2500));
    expect(await unseen(run)).toBe(1);
    expect(await run.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'copytruncate' })).toBe(1);
  });

  it('does not read a base-prefixed sibling older than the last look, nor a compressed one', async () => {
    const old = `${dirs.path}.old`;
    writeFileSync(old, `${lineRange('old', 0, 50).join('\n')}\n`);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, anHourAgo, anHourAgo);
    const w = new Writer(dirs.path);
    w.lines(L(0, 1000));
    const run = start();
    const next = await renameThenCopyTruncate(run, w, () => {
      // Fresh, base-prefixed and plain text inside, but compressed by name: not readable by offset.
      writeFileSync(`${dirs.path}.c0.gz`, `${lineRange('gz', 0, 50).join('\n')}\n`);
      writeFileSync(join(dirs.dir, 'Other.log'), 'other\n');
    });
    await finish(run, next, L(0, 2500));
    expect(await unseen(run)).toBe(1);
  });

  it('plain rename and plain copytruncate, one per look, pick up nothing (files already drained are known)', async () => {
    const w = new Writer(dirs.path);
    w.lines(L(0, 100));
    const run = start();
    await run.waitForCount(100);
    renameSync(dirs.path, `${dirs.path}.1`);
    w.lines(L(100, 110)); // late write to the renamed file, before we drained it
    w.close();
    const b = new Writer(dirs.path);
    b.lines(L(110, 200));
    await run.waitForCount(200);
    copyFileSync(dirs.path, `${dirs.path}.c2`);
    truncateSync(dirs.path, 0);
    b.lines(L(200, 300));
    await run.waitForCount(300);
    // A second rename: .1 and .c2 are both modified recently, but we read them already.
    renameSync(dirs.path, `${dirs.path}.3`);
    b.close();
    const c = new Writer(dirs.path);
    c.lines(L(300, 400));
    await finish(run, c, L(0, 400));
    expect(await unseen(run)).toBe(0);
    expect(await run.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'rename' })).toBe(2);
    expect(await run.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'copytruncate' })).toBe(1);
  });

  it('a restart in the middle of a picked-up copy resumes it from its committed offset, with the same ids', async () => {
    const w = new Writer(dirs.path);
    w.lines(L(0, 1000));
    const first = start(false);
    await first.waitForCount(1000);
    first.ackAll();
    const next = await renameThenCopyTruncate(first, w);
    await first.waitForCount(2500);
    // Everything up to line 1,699 (200 lines into the copy) is acknowledged, nothing after.
    for (const e of first.events.slice(1000, 1700)) e.ack.settle('delivered');
    await first.stop();
    const saved = readSavedTail(dirs.stateDir);
    expect(saved.state.draining.map((d) => d.path)).toEqual([`${dirs.path}.c1`]);
    expect(saved.state.draining[0]!.offset).toBe(first.events[1699]!.position.end);
    expect(saved.state.current).toMatchObject({ path: dirs.path, offset: 0 });

    const second = start(true);
    await finish(second, next, L(1700, 2500));
    expect(second.events.slice(0, 800).map((e) => e.id)).toEqual(first.events.slice(1700, 2500).map((e) => e.id));
  });
});

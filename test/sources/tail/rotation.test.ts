import { copyFileSync, renameSync, truncateSync, unlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { lineRange, startTail, type TailRun, useTailDirs, Writer } from './harness.js';

// Each rotation is done in one synchronous block, so the source (same process) cannot look in
// between: the lines written just before the rotation are certainly still unread ("pending").
describe('tail source: rotation loses nothing and keeps order', () => {
  const dirs = useTailDirs('rxflume-tail-rot-', 'SmartCarDriverInfo.log');

  function start(): TailRun {
    return dirs.track(startTail({ path: dirs.path, stateDir: dirs.stateDir }));
  }

  async function rotations(run: TailRun, kind: string): Promise<number> {
    return run.ctx.metrics.value('rxflume_tail_rotations_total', { kind });
  }

  it('rename + create: drains the old file (writes after the rename, unterminated last line) then reads the new one', async () => {
    const a = new Writer(dirs.path);
    const first = lineRange('a', 0, 200);
    a.lines(first);
    const run = start();
    await run.waitForCount(first.length);
    const pending = lineRange('a', 200, 400);
    a.lines(pending);
    renameSync(dirs.path, `${dirs.path}.1`);
    const late = lineRange('a', 400, 450);
    a.lines(late); // the writer still holds the old descriptor
    a.raw('a-unterminated');
    a.close();
    const b = new Writer(dirs.path);
    const next = lineRange('b', 0, 300);
    b.lines(next);
    const expected = [...first, ...pending, ...late, 'a-unterminated', ...next];
    await run.waitForCount(expected.length);
    const more = lineRange('b', 300, 350);
    b.lines(more);
    b.close();
    expected.push(...more);
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    expect(await rotations(run, 'rename')).toBe(1);
  });

  it('delete + recreate: the open handle still reads the deleted file to its end', async () => {
    const a = new Writer(dirs.path);
    const first = lineRange('a', 0, 100);
    a.lines(first);
    const run = start();
    await run.waitForCount(first.length);
    const pending = lineRange('a', 100, 250);
    a.lines(pending);
    unlinkSync(dirs.path);
    const late = lineRange('a', 250, 260);
    a.lines(late);
    a.close();
    const b = new Writer(dirs.path);
    const next = lineRange('b', 0, 100);
    b.lines(next);
    b.close();
    const expected = [...first, ...pending, ...late, ...next];
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    expect(await rotations(run, 'delete')).toBe(1);
  });

  it('copytruncate: the bytes appended before the copy are read from the copy, then the truncated file from 0', async () => {
    const w = new Writer(dirs.path); // O_APPEND, as loggers under copytruncate must be
    const first = lineRange('a', 0, 300);
    w.lines(first);
    const run = start();
    await run.waitForCount(first.length);
    const pending = lineRange('a', 300, 500);
    w.lines(pending);
    w.raw('a-tail-without-newline');
    copyFileSync(dirs.path, `${dirs.path}.1`);
    truncateSync(dirs.path, 0);
    const next = lineRange('b', 0, 1000); // longer than what was read: size alone would not show the truncation
    w.lines(next);
    const expected = [...first, ...pending, 'a-tail-without-newline', ...next];
    await run.waitForCount(expected.length);
    const more = lineRange('b', 1000, 1100);
    w.lines(more);
    w.close();
    expected.push(...more);
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    expect(await rotations(run, 'copytruncate')).toBe(1);
    // Replays of the new incarnation must not collide with ids of the old one.
    expect(new Set(run.events.map((e) => e.id)).size).toBe(expected.length);
  });

  it('truncate (no copy): the held partial line is emitted, then the file is read from 0', async () => {
    const w = new Writer(dirs.path);
    const first = lineRange('a', 0, 100);
    w.lines(first);
    w.raw('held');
    const run = start();
    await run.waitForCount(first.length);
    truncateSync(dirs.path, 0);
    const next = lineRange('b', 0, 50);
    w.lines(next);
    w.close();
    const expected = [...first, 'held', ...next];
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    expect(await rotations(run, 'truncate')).toBe(1);
  });

  it('survives several renames in a row, each picked up before the next', async () => {
    const expected: string[] = [];
    const run = start();
    for (let gen = 0; gen < 4; gen++) {
      const w = new Writer(dirs.path);
      const lines = lineRange(`g${gen}`, 0, 120);
      w.lines(lines);
      expected.push(...lines);
      await run.waitForCount(expected.length);
      renameSync(dirs.path, `${dirs.path}.${gen}`);
      const late = lineRange(`g${gen}`, 120, 130);
      w.lines(late);
      w.close();
      expected.push(...late);
    }
    const w = new Writer(dirs.path);
    w.lines(['final']);
    w.close();
    expected.push('final');
    await run.waitForCount(expected.length);
    expect(run.bodies()).toEqual(expected);
    await waitFor(async () => (await rotations(run, 'rename')) === 4);
  });
});

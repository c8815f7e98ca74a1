import { copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { lineRange, readSavedTail, type SavedTail, startTail, type TailRun, useTailDirs, Writer } from './harness.js';

describe('tail source: restart from checkpoint', () => {
  const dirs = useTailDirs('rxflume-tail-restart-');

  function start(autoAck: boolean): TailRun {
    return dirs.track(startTail({ path: dirs.path, stateDir: dirs.stateDir, autoAck }));
  }

  function saved(): SavedTail {
    return readSavedTail(dirs.stateDir);
  }

  it('resumes after the acknowledged prefix: no loss, duplicates only of unacknowledged lines, with the same ids', async () => {
    const w = new Writer(dirs.path);
    const lines = lineRange('x', 0, 500);
    w.lines(lines);
    const first = start(false);
    await first.waitForCount(500);
    for (const e of first.events.slice(0, 300)) e.ack.settle('delivered');
    await first.stop();
    expect(saved().state.current?.offset).toBe(first.events[299]!.position.end);

    const more = lineRange('y', 0, 100);
    w.lines(more);
    w.close();
    const second = start(true);
    await second.waitForCount(300);
    expect(second.bodies()).toEqual([...lines.slice(300), ...more]);
    // The replayed lines carry the ids they had before the restart (dedupe by id downstream).
    expect(second.events.slice(0, 200).map((e) => e.id)).toEqual(first.events.slice(300).map((e) => e.id));
  });

  it('a failed ack holds the checkpoint; on stop the unterminated last line is not emitted', async () => {
    const w = new Writer(dirs.path);
    w.raw('a\nb\nc\npart');
    const first = start(false);
    await first.waitForCount(3);
    first.events[0]!.ack.settle('delivered');
    first.events[1]!.ack.settle('failed');
    first.events[2]!.ack.settle('delivered');
    await first.stop();
    expect(first.bodies()).toEqual(['a', 'b', 'c']);
    expect(saved().state.current?.offset).toBe(2);

    w.raw('ial\nd\n');
    w.close();
    const second = start(true);
    await second.waitForCount(4);
    expect(second.bodies()).toEqual(['b', 'c', 'partial', 'd']);
  });

  it('rotated while stopped: the rest of the old file first, then the new file', async () => {
    const a = new Writer(dirs.path);
    const old = lineRange('a', 0, 200);
    a.lines(old);
    const first = start(false);
    await first.waitForCount(200);
    for (const e of first.events.slice(0, 100)) e.ack.settle('delivered');
    await first.stop();

    renameSync(dirs.path, `${dirs.path}.1`);
    const late = lineRange('a', 200, 250);
    a.lines(late);
    a.close();
    const b = new Writer(dirs.path);
    const fresh = lineRange('b', 0, 100);
    b.lines(fresh);
    b.close();

    const second = start(true);
    const expected = [...old.slice(100), ...late, ...fresh];
    await second.waitForCount(expected.length);
    expect(second.bodies()).toEqual(expected);
    expect(await second.ctx.metrics.value('rxflume_tail_rotations_total', { kind: 'while_stopped' })).toBe(1);
  });

  it('copytruncated while stopped: the rest is read from the copy, then the truncated file from 0', async () => {
    const w = new Writer(dirs.path);
    const old = lineRange('a', 0, 200);
    w.lines(old);
    const first = start(false);
    await first.waitForCount(200);
    for (const e of first.events.slice(0, 150)) e.ack.settle('delivered');
    await first.stop();

    const late = lineRange('a', 200, 260);
    w.lines(late);
    copyFileSync(dirs.path, `${dirs.path}.1`);
    truncateSync(dirs.path, 0);
    const fresh = lineRange('b', 0, 400);
    w.lines(fresh);
    w.close();

    const second = start(true);
    const expected = [...old.slice(150), ...late, ...fresh];
    await second.waitForCount(expected.length);
    expect(second.bodies()).toEqual(expected);
  });

  it('keeps a rotated-away file with unacknowledged lines in the checkpoint and replays it after a restart', async () => {
    const a = new Writer(dirs.path);
    const old = lineRange('a', 0, 100);
    a.lines(old);
    const first = start(false);
    await first.waitForCount(100);
    renameSync(dirs.path, `${dirs.path}.1`);
    a.close();
    const b = new Writer(dirs.path);
    const fresh = lineRange('b', 0, 50);
    b.lines(fresh);
    await first.waitForCount(150);
    // Acknowledge the new file completely and the old one only partly.
    for (const e of first.events.slice(100)) e.ack.settle('delivered');
    for (const e of first.events.slice(0, 40)) e.ack.settle('delivered');
    await first.stop();
    const state = saved().state;
    expect(state.draining).toHaveLength(1);
    expect(state.draining[0]!.offset).toBe(first.events[39]!.position.end);
    expect(state.current?.offset).toBe(first.events[149]!.position.end);

    const more = lineRange('b', 50, 60);
    b.lines(more);
    b.close();
    const second = start(true);
    const expected = [...old.slice(40), ...more];
    await second.waitForCount(expected.length);
    expect(second.bodies()).toEqual(expected);
    // Once everything of the old file is acknowledged it leaves the checkpoint.
    await waitFor(() => saved().state.draining.length === 0, { what: 'draining entry removed' });
  });

  it('recovers from a corrupt checkpoint: counted, and the file is read from the start', async () => {
    mkdirSync(dirs.stateDir, { recursive: true });
    writeFileSync(join(dirs.stateDir, 'source-tail1.json'), '{"version":1,"state":{"cur');
    const w = new Writer(dirs.path);
    const lines = lineRange('x', 0, 20);
    w.lines(lines);
    w.close();
    const run = start(true);
    await run.waitForCount(20);
    expect(run.bodies()).toEqual(lines);
    expect(await run.ctx.metrics.value('rxflume_checkpoint_corrupt_total')).toBe(1);
  });

  it('a checkpoint of the wrong shape is treated as corrupt too', async () => {
    mkdirSync(dirs.stateDir, { recursive: true });
    writeFileSync(join(dirs.stateDir, 'source-tail1.json'), JSON.stringify({ version: 1, state: { current: 7 } }));
    writeFileSync(dirs.path, 'only\n');
    const run = start(true);
    await run.waitForCount(1);
    expect(await run.ctx.metrics.value('rxflume_checkpoint_corrupt_total')).toBe(1);
  });

  it('stop() is idempotent and completes the observable', async () => {
    writeFileSync(dirs.path, 'one\n');
    const run = start(true);
    await run.waitForCount(1);
    await Promise.all([run.stop(), run.stop()]);
    await run.completed;
    await run.stop();
  });
});

import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/core/errors.js';
import { sleep, waitFor } from '../../support/wait.js';
import { lineRange, startTail, useTailDirs, Writer } from './harness.js';

describe('tail source: following appends', () => {
  const dirs = useTailDirs('rxflume-tail-');

  it('emits appended lines once, in order, across several appends, waiting for the file to appear', async () => {
    const path = join(dirs.dir, 'drive.log');
    const run = startTail({ path, stateDir: dirs.stateDir });
    dirs.track(run);
    await sleep(60); // the file does not exist yet: the source keeps polling for it
    const w = new Writer(path);
    const expected: string[] = [];
    for (let round = 0; round < 5; round++) {
      const lines = lineRange(`r${round}`, 0, 300);
      w.lines(lines);
      expected.push(...lines);
      await run.waitForCount(expected.length);
    }
    w.close();
    expect(run.bodies()).toEqual(expected);
    const ids = new Set(run.events.map((e) => e.id));
    expect(ids.size).toBe(expected.length);
    const first = run.events[0]!;
    expect(first.id).toMatch(/^tail1:\d+-\d+-[0-9a-f]{16}:0$/);
    expect(first.position).toMatchObject({ path, offset: 0, end: expected[0]!.length + 1 });
  });

  it('keeps going when the path cannot be read (here: a directory), and reads the file once it is one', async () => {
    const path = join(dirs.dir, 'a.log');
    mkdirSync(path);
    const run = startTail({ path, stateDir: dirs.stateDir });
    dirs.track(run);
    await sleep(100); // several failing polls: logged, retried, nothing emitted, no crash
    expect(run.events).toHaveLength(0);
    rmdirSync(path);
    writeFileSync(path, 'ok1\nok2\n');
    await run.waitForCount(2);
    expect(run.bodies()).toEqual(['ok1', 'ok2']);
  });

  it('adds the file header when fileHeader is set, as Flume does', async () => {
    const path = join(dirs.dir, 'a.log');
    writeFileSync(path, 'x1\nx2\n');
    const run = startTail({ path, stateDir: dirs.stateDir, config: { fileHeader: true, fileHeaderKey: 'src' } });
    dirs.track(run);
    await run.waitForCount(2);
    expect(run.events.map((e) => e.headers)).toEqual([{ src: path }, { src: path }]);
  });

  it('holds a last line without newline until it is finished', async () => {
    const path = join(dirs.dir, 'a.log');
    const w = new Writer(path);
    w.raw('one\ntw');
    const run = startTail({ path, stateDir: dirs.stateDir });
    dirs.track(run);
    await run.waitForCount(1);
    await sleep(150); // several polls: the unfinished line must stay held
    expect(run.bodies()).toEqual(['one']);
    w.raw('o\nthree\n');
    await run.waitForCount(3);
    expect(run.bodies()).toEqual(['one', 'two', 'three']);
    w.close();
  });

  it('flags an oversize line (5 MB, newline late) and keeps its neighbours intact', async () => {
    const path = join(dirs.dir, 'a.log');
    const w = new Writer(path);
    w.lines(['before']);
    const run = startTail({ path, stateDir: dirs.stateDir });
    dirs.track(run);
    await run.waitForCount(1);
    const piece = Buffer.alloc(1024 * 1024, 0x78);
    for (let i = 0; i < 5; i++) {
      w.raw(piece);
      await sleep(30);
    }
    expect(run.events).toHaveLength(1);
    w.raw('\nafter\n');
    await run.waitForCount(3);
    w.close();
    const [before, big, after] = run.events;
    expect(before!.body.toString()).toBe('before');
    expect(after!.body.toString()).toBe('after');
    expect(big!.error?.code).toBe(ErrorCodes.LINE_TOO_LONG);
    // Memory stays bounded: the flagged body is at most maxLineBytes (the splitter keeps a prefix).
    expect(big!.body.length).toBeLessThanOrEqual(1024 * 1024);
    expect(big!.body.subarray(0, 16).toString()).toBe('x'.repeat(16));
    expect(big!.position.end - big!.position.offset).toBe(5 * 1024 * 1024 + 1);
    expect(after!.position.offset).toBe(big!.position.end);
  });

  it("startAt 'end' skips what is there and starts after the last complete line", async () => {
    const path = join(dirs.dir, 'a.log');
    const w = new Writer(path);
    w.raw('old1\nold2\npart');
    const run = startTail({ path, stateDir: dirs.stateDir, config: { startAt: 'end' } });
    dirs.track(run);
    await waitFor(async () => (await run.ctx.metrics.value('rxflume_checkpoint_writes_total')) > 0, { what: 'first checkpoint' });
    w.raw('ial\nnew\n');
    await run.waitForCount(2);
    w.close();
    expect(run.bodies()).toEqual(['partial', 'new']);
  });

  it("startAt 'end' reads a file that appears only after the start from its beginning", async () => {
    const path = join(dirs.dir, 'late.log');
    const run = startTail({ path, stateDir: dirs.stateDir, config: { startAt: 'end' } });
    dirs.track(run);
    await sleep(100); // the follower looks for the name and waits for it
    const w = new Writer(path);
    w.lines(['first', 'second']);
    await run.waitForCount(2);
    w.close();
    expect(run.bodies()).toEqual(['first', 'second']);
  });
});

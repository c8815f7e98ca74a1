/** The disk log: torn tails, per-sink positions, segment deletion, the space bound. */
import { appendFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverSegments } from '../../../src/buffers/disk/recovery.js';
import { comparePositions } from '../../../src/buffers/disk/segment-format.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';
import { frameSize, names, openLog, payload, readAll } from './log-support.js';

const wals = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort();

describe('disk log', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  const dir = async () => {
    const t = await tempDir('rxflume-disklog-');
    cleanup = t.cleanup;
    return t.dir;
  };

  it('replays every appended frame in order after a restart', async () => {
    const d = await dir();
    const first = await openLog(d);
    for (let i = 0; i < 300; i++) expect(await first.log.append(payload(`f${i}`), 1)).toBe('appended');
    await first.log.close();
    expect(wals(d).length).toBeGreaterThan(2);
    const second = await openLog(d);
    expect(second.log.unackedEvents).toBe(300);
    expect(names(await readAll(second.log))).toEqual(Array.from({ length: 300 }, (_, i) => `f${i}`));
    await second.log.close();
  });

  it('cuts a torn tail record at recovery, counts it, and appends after the last whole frame', async () => {
    const d = await dir();
    const first = await openLog(d, { segmentBytes: 1024 * 1024 });
    for (let i = 0; i < 5; i++) await first.log.append(payload(`f${i}`), 1);
    await first.log.close();
    const [seg] = wals(d);
    const path = join(d, seg as string);
    const whole = statSync(path).size;
    // A crash in the middle of the next frame's write: its header and part of its payload.
    appendFileSync(path, payload('torn', 100).subarray(0, 60));
    const second = await openLog(d, { segmentBytes: 1024 * 1024 });
    expect(second.torn).toBe(1);
    expect(statSync(path).size).toBe(whole);
    await second.log.append(payload('after'), 1);
    expect(names(await readAll(second.log))).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'after']);
    await second.log.close();
  });

  it('cuts at a checksum mismatch and removes a segment without a whole header', async () => {
    const d = await dir();
    const first = await openLog(d, { segmentBytes: 1024 * 1024 });
    for (let i = 0; i < 4; i++) await first.log.append(payload(`f${i}`), 1);
    await first.log.close();
    const path = join(d, wals(d)[0] as string);
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(path));
    const frame = frameSize('f0');
    const at = 8 + 2 * frame + 8 + 5; // inside the third frame's payload
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(path, bytes);
    writeFileSync(join(d, '0000000000000099.wal'), 'RXF'); // a crash right after creating a segment
    const rec = await recoverSegments(d);
    expect(rec.torn).toBe(2);
    expect(rec.segments.map((s) => s.frames.length)).toEqual([2]);
    expect(wals(d)).toEqual([wals(d)[0]]);
  });

  it('keeps a position per sink, resumes each sink from its own, and deletes only what every sink passed', async () => {
    const d = await dir();
    const first = await openLog(d);
    for (let i = 0; i < 200; i++) await first.log.append(payload(`f${i}`), 1);
    const frames = await readAll(first.log);
    const segmentsBefore = wals(d).length;
    // Sink a acknowledges everything, sink b the first 150 frames.
    const bEnd = (frames[149] as (typeof frames)[number]).end;
    expect(bEnd.segment).toBeGreaterThan(1);
    first.log.sinkAcknowledged('a', (frames[199] as (typeof frames)[number]).end);
    first.log.sinkAcknowledged('b', bEnd);
    // Deleted (unlinks run in the background): exactly the segments wholly before sink b's position.
    const bSegmentDone = (frames[150] as (typeof frames)[number]).end.segment > bEnd.segment;
    const expectedFirst = bSegmentDone ? bEnd.segment + 1 : bEnd.segment;
    const firstKept = () => Number((wals(d)[0] as string).slice(0, 16));
    await waitFor(() => firstKept() === expectedFirst, { what: 'segments before sink b deleted' });
    expect(wals(d).length).toBeLessThan(segmentsBefore);
    await sleep(100);
    expect(firstKept()).toBe(expectedFirst);
    await first.log.close();

    const second = await openLog(d);
    expect(comparePositions(second.log.positions.get('a'), (frames[199] as (typeof frames)[number]).end)).toBe(0);
    expect(comparePositions(second.log.positions.get('b'), bEnd)).toBe(0);
    expect(second.log.unackedEvents).toBe(50);
    const replay = await readAll(second.log);
    expect(names(replay)).toEqual(Array.from({ length: 50 }, (_, i) => `f${i + 150}`));
    second.log.sinkAcknowledged('b', (replay[49] as (typeof replay)[number]).end);
    await second.log.close();
    // Every sealed segment is gone; at most the one being appended to when it closed remains.
    expect(wals(d).length).toBeLessThanOrEqual(1);
  });

  it('a sink new to the config starts at the oldest retained frame', async () => {
    const d = await dir();
    const first = await openLog(d, { sinkIds: ['a'] });
    for (let i = 0; i < 10; i++) await first.log.append(payload(`f${i}`), 1);
    const frames = await readAll(first.log);
    first.log.sinkAcknowledged('a', (frames[4] as (typeof frames)[number]).end);
    await first.log.close();
    const second = await openLog(d, { sinkIds: ['a', 'c'] });
    expect(names(await readAll(second.log))).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`));
    await second.log.close();
  });

  it('whenFull block: an append waits until every sink passed enough segments, in order', async () => {
    const d = await dir();
    const frame = frameSize('f10');
    const maxBytes = 20 * frame;
    const t = await openLog(d, { maxBytes, segmentBytes: 6 * frame, sinkIds: ['a'] });
    const results: string[] = [];
    const appends = Array.from({ length: 60 }, (_, i) => t.log.append(payload(`f${i}`), 1).then((r) => results.push(`${i}:${r}`)));
    await sleep(100);
    expect(results.length).toBeLessThan(60);
    expect(t.log.bytesOnDisk).toBeLessThanOrEqual(maxBytes);
    // The sink reads and acknowledges as it goes: space frees and the rest are appended.
    let seen = 0;
    for await (const f of t.log.read()) {
      t.log.sinkAcknowledged('a', f.end);
      expect(t.log.bytesOnDisk).toBeLessThanOrEqual(maxBytes);
      if (++seen === 60) break;
    }
    await Promise.all(appends);
    expect(results).toEqual(Array.from({ length: 60 }, (_, i) => `${i}:appended`));
    await t.log.close();
  });

  it('whenFull drop_newest: appends that do not fit are answered dropped at once', async () => {
    const d = await dir();
    const frame = frameSize('f10');
    const t = await openLog(d, { maxBytes: 10 * frame, segmentBytes: 8 * frame, whenFull: 'drop_newest', sinkIds: ['a'] });
    const results: string[] = [];
    for (let i = 10; i < 30; i++) results.push(await t.log.append(payload(`f${i}`), 1));
    expect(results.filter((r) => r === 'appended').length).toBe(10);
    expect(results.slice(10).every((r) => r === 'dropped')).toBe(true);
    const frames = await readAll(t.log);
    expect(names(frames)).toEqual(Array.from({ length: 10 }, (_, i) => `f${i + 10}`));
    await t.log.close();
  });

  it('a batch larger than maxBytes still passes when the sinks have read everything', async () => {
    const d = await dir();
    const t = await openLog(d, { maxBytes: 100, segmentBytes: 100, sinkIds: ['a'] });
    expect(await t.log.append(payload('big', 5000), 1)).toBe('appended');
    const read = t.log.read();
    const first = await read.next();
    t.log.sinkAcknowledged('a', (first.value as { end: never }).end);
    expect(await t.log.append(payload('big2', 5000), 1)).toBe('appended');
    await t.log.close();
    await read.return(undefined);
  });

  it('truncated segment from a machine crash with fsync interval: replay holds the whole frames before the cut', async () => {
    const d = await dir();
    const first = await openLog(d, { fsync: 'interval', fsyncIntervalMs: 50, segmentBytes: 1024 * 1024 });
    for (let i = 0; i < 8; i++) await first.log.append(payload(`f${i}`), 1);
    await first.log.close();
    const path = join(d, wals(d)[0] as string);
    truncateSync(path, 8 + 3 * frameSize('f0') + 20);
    const second = await openLog(d);
    expect(second.torn).toBe(1);
    expect(names(await readAll(second.log))).toEqual(['f0', 'f1', 'f2']);
    await second.log.close();
  });

  it('refuses a second log on a folder that is in use, and allows it once the first is closed', async () => {
    const d = await dir();
    const first = await openLog(d);
    await expect(openLog(d)).rejects.toThrow(/already in use/);
    await first.log.close();
    const second = await openLog(d);
    await second.log.close();
  });
});

/**
 * The disk-buffered stage with real sink lanes: the source is acknowledged from the log, each
 * sink advances its own position, a restart re-delivers only what a sink has not acknowledged.
 */

import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskLog, type DiskLogOptions } from '../../../src/buffers/disk/disk-log.js';
import { diskBuffered } from '../../../src/buffers/disk/stage.js';
import { ErrorCodes, RxfError } from '../../../src/core/errors.js';
import type { EventBatch } from '../../../src/core/event.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { createSinkLane } from '../../../src/operators/sink-lane.js';
import { ArrayDeadLetter, ArraySink, acksOf, makeBatch, ReadingParser } from '../../operators/support.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';

const parser = new ReadingParser();
const NO_RETRY_WAIT = { initialDelayMs: 1, maxDelayMs: 5, jitter: 0 };

function parsed(bodies: string[]): EventBatch {
  const batch = makeBatch('src', bodies, parser.schema);
  for (const e of batch.events) {
    const r = parser.parse(e.body);
    if (r.ok) e.record = r.record;
  }
  return batch;
}

function lines(from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `car${from + i},${(from + i) % 200}`);
}

function newLog(dir: string, sinkIds: string[], extra: Partial<DiskLogOptions> = {}): DiskLog {
  return new DiskLog({
    dir,
    maxBytes: 64 * 1024 * 1024,
    segmentBytes: 2048,
    fsync: 'batch',
    fsyncIntervalMs: 1000,
    whenFull: 'block',
    sinkIds,
    logger: silentLogger(),
    ...extra,
  });
}

/** One stage over the folder `dir` feeding `sinks` through real lanes (no retry waits). */
function run(dir: string, sinks: ArraySink[], opts: { metrics?: Metrics; deadLetter?: ArrayDeadLetter } = {}) {
  const metrics = opts.metrics ?? new Metrics();
  const deadLetter = opts.deadLetter ?? new ArrayDeadLetter();
  const logger = silentLogger();
  const input = new Subject<EventBatch>();
  const log = newLog(
    dir,
    sinks.map((s) => s.id),
  );
  const lanes = sinks.map((s) =>
    createSinkLane(s, { metrics, deadLetter, logger, retry: NO_RETRY_WAIT, deadLetterRetry: { ...NO_RETRY_WAIT, maxRetries: 0 } }),
  );
  let completed = false;
  const sub = input
    .pipe(diskBuffered(log, lanes, { sourceId: 'src', metrics, logger, parser, deadLetter }))
    .subscribe({ complete: () => (completed = true) });
  return { input, log, sub, completed: () => completed };
}

describe('diskBuffered stage', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('acknowledges the source once the batch is in the log, before any sink has it', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const held = new ArraySink('held', { hold: true });
    const r = await run(t.dir, [held]);
    const batches = [parsed(lines(0, 50)), parsed(lines(50, 50))];
    for (const b of batches) r.input.next(b);
    const acks = acksOf(batches);
    await waitFor(() => acks.every((a) => a.settled), { what: 'source acks' });
    expect(acks.every((a) => a.calls.length === 1 && a.outcome === 'delivered')).toBe(true);
    expect(held.batches.length).toBe(0);
    held.release();
    await waitFor(() => {
      held.release();
      return held.events.length === 100;
    });
    // Replayed events carry the original ids and records.
    const got = held.batches.flatMap((b) => b.events);
    expect(got.map((e) => e.id)).toEqual(batches.flatMap((b) => b.events.map((e) => e.id)));
    expect(got.map((e) => e.record)).toEqual(batches.flatMap((b) => b.events.map((e) => e.record)));
    expect(held.batches[0]?.schema).toBe(parser.schema);
    // Handed on from memory, yet the source's acks were settled once, at the append.
    expect(acks.every((a) => a.calls.length === 1)).toBe(true);
    r.input.complete();
    await waitFor(() => r.completed(), { what: 'stage completed' });
  });

  it('a restart re-delivers to each sink exactly what it had not acknowledged', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const fast = new ArraySink('fast');
    const slow = new ArraySink('slow', { hold: true });
    const first = await run(t.dir, [fast, slow]);
    const all = lines(0, 300);
    for (let i = 0; i < 300; i += 30) first.input.next(parsed(all.slice(i, i + 30)));
    await waitFor(() => fast.events.length === 300, { what: 'fast sink has everything' });
    // The slow sink acknowledges its first two batches, then hangs.
    slow.release();
    await waitFor(() => slow.batches.length >= 1);
    slow.release();
    await waitFor(() => slow.batches.length >= 2);
    await first.log.positions.flush();
    // Crash: the stage is torn down with the slow sink's writes still hanging.
    first.sub.unsubscribe();

    const fast2 = new ArraySink('fast');
    const slow2 = new ArraySink('slow');
    const second = await run(t.dir, [fast2, slow2]);
    second.input.complete();
    await waitFor(() => second.completed(), { what: 'replay finished' });
    expect(fast2.events).toEqual([]);
    const already = slow.events;
    expect(already.length).toBeGreaterThanOrEqual(60);
    expect(slow2.events).toEqual(all.slice(already.length));
  });

  it('a batch a sink failed (dead-letter gave up too) holds that sink`s position for the rest of the run', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const good = new ArraySink('good');
    const flaky = new ArraySink('flaky', { failures: [new RxfError(ErrorCodes.SINK_PERMANENT, 'refused')] });
    const first = await run(t.dir, [good, flaky], { deadLetter: new ArrayDeadLetter(1) });
    const all = lines(0, 60);
    for (let i = 0; i < 60; i += 20) first.input.next(parsed(all.slice(i, i + 20)));
    first.input.complete();
    await waitFor(() => first.completed(), { what: 'first run complete' });
    expect(good.events).toEqual(all);
    expect(flaky.events).toEqual(all.slice(20)); // its first batch failed

    const good2 = new ArraySink('good');
    const flaky2 = new ArraySink('flaky');
    const second = await run(t.dir, [good2, flaky2]);
    second.input.complete();
    await waitFor(() => second.completed(), { what: 'replay finished' });
    expect(good2.events).toEqual([]);
    // From the failed batch on: at least once (the later ones again, with the same ids).
    expect(flaky2.events).toEqual(all);
  });

  it('a batch a sink refused permanently is dead-lettered and passed: its position moves on, a restart does not resend it', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const good = new ArraySink('good');
    const refusing = new ArraySink('refusing', { failures: [new RxfError(ErrorCodes.SINK_PERMANENT, 'refused')] });
    const deadLetter = new ArrayDeadLetter();
    const first = await run(t.dir, [good, refusing], { deadLetter });
    const all = lines(0, 60);
    for (let i = 0; i < 60; i += 20) first.input.next(parsed(all.slice(i, i + 20)));
    first.input.complete();
    await waitFor(() => first.completed(), { what: 'first run complete' });
    expect(refusing.events).toEqual(all.slice(20));
    expect(deadLetter.entries.map((e) => e.event.body.toString())).toEqual(all.slice(0, 20));

    const good2 = new ArraySink('good');
    const refusing2 = new ArraySink('refusing');
    const second = await run(t.dir, [good2, refusing2]);
    second.input.complete();
    await waitFor(() => second.completed(), { what: 'replay finished' });
    expect(good2.events).toEqual([]);
    expect(refusing2.events).toEqual([]);
  });

  it('whenFull drop_newest in the stage: dropped batches are settled rejected and counted buffer_full', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const metrics = new Metrics();
    metrics.registerSource('src');
    const logger = silentLogger();
    const log = newLog(t.dir, ['held'], { maxBytes: 3000, segmentBytes: 1000, whenFull: 'drop_newest' });
    const held = new ArraySink('held', { hold: true });
    const lane = createSinkLane(held, { metrics, deadLetter: new ArrayDeadLetter(), logger });
    const input = new Subject<EventBatch>();
    const sub = input.pipe(diskBuffered(log, [lane], { sourceId: 'src', metrics, logger, parser })).subscribe();
    const batches = Array.from({ length: 20 }, (_, i) => parsed(lines(i * 10, 10)));
    for (const b of batches) input.next(b);
    const acks = acksOf(batches);
    await waitFor(() => acks.every((a) => a.settled), { what: 'all settled' });
    const rejected = acks.filter((a) => a.outcome === 'rejected').length;
    expect(rejected).toBeGreaterThan(0);
    expect(acks.filter((a) => a.outcome === 'delivered').length + rejected).toBe(200);
    expect(await metrics.value('rxflume_events_rejected_total', { component_id: 'src', reason: 'buffer_full' })).toBe(rejected);
    sub.unsubscribe();
  });

  it('re-parses stored records when the schema changed between runs, dead-lettering lines that no longer parse', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const logger = silentLogger();
    const metrics = new Metrics();
    const make = () => newLog(t.dir, ['out'], { segmentBytes: 1 << 16 });
    // Run 1 stores records of another schema (its sink hangs, so nothing is acknowledged).
    const otherParser = new ReadingParser();
    Object.assign(otherParser, { schema: { ...otherParser.schema, schema: { ...otherParser.schema.schema, name: 'Older' } } });
    const hung = new ArraySink('out', { hold: true });
    const in1 = new Subject<EventBatch>();
    const sub1 = in1
      .pipe(
        diskBuffered(make(), [createSinkLane(hung, { metrics, deadLetter: new ArrayDeadLetter(), logger })], {
          sourceId: 'src',
          metrics,
          logger,
          parser: otherParser,
        }),
      )
      .subscribe();
    const batch = makeBatch('src', ['car1,10', 'car2,999', 'car3,30'], otherParser.schema);
    for (const e of batch.events) e.record = { car: 'x', speed: 1 };
    in1.next(batch);
    await waitFor(() => acksOf([batch]).every((a) => a.settled));
    sub1.unsubscribe();
    // Run 2: the current parser's schema differs, so bodies are parsed again.
    const out = new ArraySink('out');
    const deadLetter = new ArrayDeadLetter();
    const in2 = new Subject<EventBatch>();
    let completed = false;
    in2
      .pipe(
        diskBuffered(make(), [createSinkLane(out, { metrics, deadLetter, logger })], {
          sourceId: 'src',
          metrics,
          logger,
          parser,
          deadLetter,
        }),
      )
      .subscribe({ complete: () => (completed = true) });
    in2.complete();
    await waitFor(() => completed, { what: 'replay complete' });
    expect(out.batches.flatMap((b) => b.events.map((e) => e.record))).toEqual([
      { car: 'car1', speed: 10 },
      { car: 'car3', speed: 30 },
    ]);
    expect(deadLetter.entries.map((e) => [e.event.body.toString(), e.stage])).toEqual([['car2,999', 'parse']]);
  });

  it('whenFull block: with the log full the source stays unacknowledged until a sink frees space', async () => {
    const t = await tempDir('rxflume-stage-');
    cleanup = t.cleanup;
    const metrics = new Metrics();
    const logger = silentLogger();
    const log = newLog(t.dir, ['held'], { maxBytes: 4000, segmentBytes: 1000 });
    const held = new ArraySink('held', { hold: true });
    const lane = createSinkLane(held, { metrics, deadLetter: new ArrayDeadLetter(), logger });
    const input = new Subject<EventBatch>();
    let completed = false;
    input.pipe(diskBuffered(log, [lane], { sourceId: 'src', metrics, logger, parser })).subscribe({ complete: () => (completed = true) });
    const batches = Array.from({ length: 30 }, (_, i) => parsed(lines(i * 10, 10)));
    for (const b of batches) input.next(b);
    const acks = acksOf(batches);
    await waitFor(() => acks.some((a) => a.settled), { what: 'first appends acknowledged' });
    await sleep(200);
    const early = acks.filter((a) => a.settled).length;
    expect(early).toBeLessThan(300);
    expect(acks.every((a) => a.outcome !== 'rejected' && a.outcome !== 'failed')).toBe(true);
    expect(log.bytesOnDisk).toBeLessThanOrEqual(4000);
    input.complete();
    await waitFor(
      () => {
        held.release();
        return completed;
      },
      { what: 'everything delivered' },
    );
    expect(acks.every((a) => a.calls.length === 1 && a.outcome === 'delivered')).toBe(true);
    expect(held.events).toEqual(batches.flatMap((b) => b.events.map((e) => e.body.toString())));
  });
});

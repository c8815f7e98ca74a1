import { from, lastValueFrom, Subject, toArray, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, RxfError } from '../../src/core/errors.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { fanOut } from '../../src/operators/fan-out.js';
import { createSinkLane, type LaneProgress } from '../../src/operators/sink-lane.js';
import { waitFor } from '../support/wait.js';
import { ArrayDeadLetter, ArraySink, acksOf, makeBatch } from './support.js';

const transient = () => new RxfError(ErrorCodes.SINK_TRANSIENT, 'broker down', { retriable: true });
const permanent = () => new RxfError(ErrorCodes.SINK_PERMANENT, 'bad request');
const fast = { initialDelayMs: 1, maxDelayMs: 4, jitter: 0 };

function lanesFor(sinks: ArraySink[], deadLetter = new ArrayDeadLetter(), metrics = new Metrics(), scheduler?: VirtualTimeScheduler) {
  return sinks.map((sink) =>
    createSinkLane(sink, { metrics, deadLetter, logger: silentLogger(), retry: { ...fast, ...(scheduler ? { scheduler } : {}) } }),
  );
}

describe('fanOut', () => {
  it('acknowledges every event once, delivered, only after both a slow sink and a flaky sink have it', async () => {
    const slow = new ArraySink('hdfs', { hold: true });
    const flaky = new ArraySink('kafka', { failures: [transient(), transient()] });
    const input = new Subject<EventBatch>();
    const progress: LaneProgress[] = [];
    let completed = false;
    input.pipe(fanOut(lanesFor([slow, flaky]))).subscribe({ next: (p) => progress.push(p), complete: () => (completed = true) });

    const batches = [makeBatch('tail', ['a1', 'a2']), makeBatch('tail', ['b1']), makeBatch('tail', ['c1', 'c2', 'c3'])];
    for (const b of batches) input.next(b);
    input.complete();

    for (let i = 0; i < batches.length; i++) {
      await waitFor(() => slow.pendingWrites === 1 && flaky.batches.length === batches.length, { what: `slow write ${i}` });
      // The flaky sink has every batch; the slow one has only the ones before i: batch i is not acknowledged yet.
      expect(acksOf([batches[i]!]).every((a) => !a.settled)).toBe(true);
      expect(acksOf(batches.slice(0, i)).every((a) => a.outcome === 'delivered')).toBe(true);
      slow.release();
    }
    await waitFor(() => completed, { what: 'completion' });

    expect(flaky.attempts).toBe(5); // 2 failures + 3 batches
    for (const ack of acksOf(batches)) expect(ack.calls).toEqual(['delivered']);
    expect(slow.events).toEqual(['a1', 'a2', 'b1', 'c1', 'c2', 'c3']);
    expect(flaky.events).toEqual(['a1', 'a2', 'b1', 'c1', 'c2', 'c3']);
    expect(slow.maxConcurrent).toBe(1);
    expect(flaky.maxConcurrent).toBe(1);
    expect(progress).toHaveLength(6);
    expect(progress.filter((p) => p.laneId === 'kafka').map((p) => p.attempts)).toEqual([3, 1, 1]);
  });

  it('a permanent failure in one lane is dead-lettered; the event counts as done (delivered by the other)', async () => {
    const deadLetter = new ArrayDeadLetter();
    const good = new ArraySink('hdfs');
    const bad = new ArraySink('kafka', { failures: [permanent()] });
    const batch = makeBatch('spool', ['x', 'y']);
    const progress = await lastValueFrom(from([batch]).pipe(fanOut(lanesFor([good, bad], deadLetter)), toArray()));
    expect(progress.map((p) => [p.laneId, p.outcome]).sort()).toEqual([
      ['hdfs', 'delivered'],
      ['kafka', 'dead_lettered'],
    ]);
    expect(deadLetter.entries.map((e) => [e.componentId, e.stage, e.event.body.toString()])).toEqual([
      ['kafka', 'sink', 'x'],
      ['kafka', 'sink', 'y'],
    ]);
    for (const ack of acksOf([batch])) expect(ack.calls).toEqual(['delivered']);
  });

  it('settles failed when one lane could neither write nor dead-letter', async () => {
    const deadLetter = new ArrayDeadLetter(100);
    const lanes = [new ArraySink('hdfs'), new ArraySink('kafka', { failures: [permanent()] })].map((sink) =>
      createSinkLane(sink, {
        metrics: new Metrics(),
        deadLetter,
        logger: silentLogger(),
        retry: fast,
        deadLetterRetry: { ...fast, maxRetries: 1 },
      }),
    );
    const batch = makeBatch('spool', ['x']);
    await lastValueFrom(from([batch]).pipe(fanOut(lanes), toArray()));
    expect(acksOf([batch])[0]!.calls).toEqual(['failed']);
  });

  it('with one lane passes batches straight through and settles each event once', async () => {
    const sink = new ArraySink('only');
    const batches = [makeBatch('s', ['1', '2']), makeBatch('s', ['3'])];
    const progress = await lastValueFrom(from(batches).pipe(fanOut(lanesFor([sink])), toArray()));
    expect(progress.map((p) => p.outcome)).toEqual(['delivered', 'delivered']);
    expect(sink.batches).toEqual(batches);
    for (const ack of acksOf(batches)) expect(ack.calls).toEqual(['delivered']);
  });

  it('on unsubscribe mid-flight clears retry timers and settles unsettled batches failed', async () => {
    const scheduler = new VirtualTimeScheduler();
    const hung = new ArraySink('hdfs', { hold: true });
    const flaky = new ArraySink('kafka', { failures: [transient(), transient(), transient()] });
    const input = new Subject<EventBatch>();
    const sub = input.pipe(fanOut(lanesFor([hung, flaky], new ArrayDeadLetter(), new Metrics(), scheduler))).subscribe();
    const batches = [makeBatch('s', ['a']), makeBatch('s', ['b'])];
    for (const b of batches) input.next(b);
    await waitFor(() => hung.pendingWrites === 1 && scheduler.actions.length === 1, { what: 'a hung write and a retry wait' });

    sub.unsubscribe();
    expect(scheduler.actions.length).toBe(0);
    expect(input.observed).toBe(false);
    for (const ack of acksOf(batches)) expect(ack.calls).toEqual(['failed']);

    scheduler.flush();
    hung.release();
    await waitFor(() => hung.pendingWrites === 0);
    await new Promise((r) => setImmediate(r));
    expect(flaky.attempts).toBe(1); // no retry after teardown
    expect(hung.attempts).toBe(1); // the queued second batch was never written
    for (const ack of acksOf(batches)) expect(ack.calls).toEqual(['failed']); // a late write result settles nothing
  });

  it('drains the lanes before passing an input error on', async () => {
    const sink = new ArraySink('hdfs', { delayMs: 5 });
    const input = new Subject<EventBatch>();
    let error: unknown;
    input.pipe(fanOut(lanesFor([sink]))).subscribe({ error: (e) => (error = e) });
    const batch = makeBatch('s', ['a']);
    input.next(batch);
    input.error(new Error('source died'));
    expect(error).toBeUndefined();
    await waitFor(() => error, { what: 'error' });
    expect((error as Error).message).toBe('source died');
    expect(acksOf([batch])[0]!.calls).toEqual(['delivered']);
  });

  it('refuses an empty lane list', () => {
    expect(() => fanOut([])).toThrow(RangeError);
  });

  it('offers every batch to each sink that can prepare, when it is queued, before earlier writes finish', async () => {
    const prepared: string[] = [];
    const slow = Object.assign(new ArraySink('hdfs', { hold: true }), {
      prepare: (batch: EventBatch) => prepared.push(`hdfs:${batch.events.length}`),
    });
    const plain = new ArraySink('kafka');
    const input = new Subject<EventBatch>();
    let completed = false;
    input.pipe(fanOut(lanesFor([slow, plain]))).subscribe({ complete: () => (completed = true) });
    const batches = [makeBatch('s', ['a']), makeBatch('s', ['b', 'b']), makeBatch('s', ['c', 'c', 'c'])];
    for (const b of batches) input.next(b);
    input.complete();
    // The first write is held: all three were offered already, in order.
    await waitFor(() => slow.pendingWrites === 1, { what: 'the held write' });
    expect(prepared).toEqual(['hdfs:1', 'hdfs:2', 'hdfs:3']);
    expect(slow.batches).toEqual([]);
    for (let i = 0; i < batches.length; i++) {
      await waitFor(() => slow.pendingWrites === 1 || completed, { what: `write ${i}` });
      slow.release();
    }
    await waitFor(() => completed, { what: 'drained' });
    expect(slow.batches).toEqual(batches);
    expect(acksOf(batches).every((a) => a.outcome === 'delivered')).toBe(true);
  });
});

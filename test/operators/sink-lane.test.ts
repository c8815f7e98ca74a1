import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { OnceAck } from '../../src/core/ack.js';
import { ErrorCodes, RxfError } from '../../src/core/errors.js';
import { type AckOutcome, type EventBatch, settleAll } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createSinkLane, type LaneWork } from '../../src/operators/sink-lane.js';
import { sleep, waitFor } from '../support/wait.js';
import { ArrayDeadLetter, ArraySink, acksOf, makeBatch } from './support.js';

const transient = () => new RxfError(ErrorCodes.SINK_TRANSIENT, 'datanode timeout', { retriable: true });
const permanent = () => new RxfError(ErrorCodes.SINK_PERMANENT, 'permission denied on /pilot-pjt');
const fast = { initialDelayMs: 1, maxDelayMs: 4, jitter: 0 };

/** Work for one lane whose ack settles the batch's events (as fanOut does for a single lane). */
function work(batch: EventBatch): LaneWork {
  return { batch, ack: new OnceAck((o: AckOutcome) => settleAll(batch.events, o)) };
}

describe('createSinkLane', () => {
  it('settles delivered after the write resolved and counts sent/acknowledged', async () => {
    const metrics = new Metrics();
    const sink = new ArraySink('hdfs');
    const lane = createSinkLane(sink, { metrics, deadLetter: new ArrayDeadLetter(), logger: silentLogger() });
    const batch = makeBatch('spool', ['l1', 'l2']);
    const progress = await lastValueFrom(lane.deliver(work(batch)));
    expect(progress).toEqual({ laneId: 'hdfs', sourceId: 'spool', events: 2, outcome: 'delivered', attempts: 1 });
    expect(sink.events).toEqual(['l1', 'l2']);
    expect(acksOf([batch]).map((a) => a.calls)).toEqual([['delivered'], ['delivered']]);
    expect(await metrics.value('rxflume_sink_batches_total', { component_id: 'hdfs', result: 'sent' })).toBe(1);
    expect(await metrics.value('rxflume_sink_events_total', { component_id: 'hdfs', result: 'acknowledged' })).toBe(2);
    expect(await metrics.registry.getSingleMetricAsString('rxflume_sink_send_duration_seconds')).toContain(
      'rxflume_sink_send_duration_seconds_count{component_id="hdfs",component_kind="sink"} 1',
    );
  });

  it('retries transient errors with backoff, counting each retry, then delivers', async () => {
    const metrics = new Metrics();
    const sink = new ArraySink('kafka', { failures: [transient(), transient(), transient()] });
    const delays: number[] = [];
    const lane = createSinkLane(sink, {
      metrics,
      deadLetter: new ArrayDeadLetter(),
      logger: silentLogger(),
      retry: { ...fast, onRetry: (_e, _n, d) => delays.push(d) },
    });
    const batch = makeBatch('tail', ['x']);
    const progress = await lastValueFrom(lane.deliver(work(batch)));
    expect(progress.outcome).toBe('delivered');
    expect(progress.attempts).toBe(4);
    expect(delays).toEqual([1, 2, 4]);
    expect(acksOf([batch])[0]!.calls).toEqual(['delivered']);
    expect(await metrics.value('rxflume_sink_retries_total', { component_id: 'kafka', error_class: 'transient' })).toBe(3);
    expect(await metrics.value('rxflume_sink_batches_total', { component_id: 'kafka', result: 'sent' })).toBe(1);
  });

  it('dead-letters a batch on a permanent error, then settles it rejected', async () => {
    const metrics = new Metrics();
    const deadLetter = new ArrayDeadLetter();
    const sink = new ArraySink('hdfs', { failures: [permanent()] });
    const lane = createSinkLane(sink, { metrics, deadLetter, logger: silentLogger(), retry: fast });
    const batch = makeBatch('spool', ['a', 'b']);
    const progress = await lastValueFrom(lane.deliver(work(batch)));
    expect(progress.outcome).toBe('dead_lettered');
    expect(progress.attempts).toBe(1);
    expect(deadLetter.entries.map((e) => [e.event.body.toString(), e.stage, e.componentId, e.code, e.reason, e.sourceId])).toEqual([
      ['a', 'sink', 'hdfs', ErrorCodes.SINK_PERMANENT, 'permission denied on /pilot-pjt', 'spool'],
      ['b', 'sink', 'hdfs', ErrorCodes.SINK_PERMANENT, 'permission denied on /pilot-pjt', 'spool'],
    ]);
    expect(acksOf([batch]).map((a) => a.calls)).toEqual([['rejected'], ['rejected']]);
    expect(await metrics.value('rxflume_dead_lettered_total', { component_id: 'hdfs', reason: 'sink_permanent' })).toBe(2);
  });

  it('settles failed and counts the batch failed when the dead-letter write gives up too', async () => {
    const metrics = new Metrics();
    const deadLetter = new ArrayDeadLetter(100);
    const lane = createSinkLane(new ArraySink('hdfs', { failures: [permanent()] }), {
      metrics,
      deadLetter,
      logger: silentLogger(),
      deadLetterRetry: { ...fast, maxRetries: 2 },
    });
    const batch = makeBatch('spool', ['a']);
    const progress = await lastValueFrom(lane.deliver(work(batch)));
    expect(progress.outcome).toBe('failed');
    expect(deadLetter.writes).toBe(3);
    expect(acksOf([batch])[0]!.calls).toEqual(['failed']);
    expect(await metrics.value('rxflume_sink_batches_total', { component_id: 'hdfs', result: 'failed' })).toBe(1);
  });

  it('classifies what is not an RxfError by errno: ECONNRESET is retried, a TypeError is dead-lettered', async () => {
    const deadLetter = new ArrayDeadLetter();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const sink = new ArraySink('kafka', { failures: [reset, new TypeError('sink bug')] });
    const lane = createSinkLane(sink, { metrics: new Metrics(), deadLetter, logger: silentLogger(), retry: fast });
    const progress = await lastValueFrom(lane.deliver(work(makeBatch('t', ['z']))));
    expect(progress.attempts).toBe(2);
    expect(progress.outcome).toBe('dead_lettered');
    expect(deadLetter.entries[0]!.code).toBe(ErrorCodes.SINK_PERMANENT);
    expect(deadLetter.entries[0]!.reason).toBe('sink bug');
  });

  it('never retries a write that has not settled, however long it hangs', async () => {
    const sink = new ArraySink('hdfs', { hold: true });
    const lane = createSinkLane(sink, { metrics: new Metrics(), deadLetter: new ArrayDeadLetter(), logger: silentLogger(), retry: fast });
    const batch = makeBatch('s', ['a']);
    let done = false;
    lane.deliver(work(batch)).subscribe({ complete: () => (done = true) });
    await waitFor(() => sink.pendingWrites === 1);
    await sleep(30); // many retry periods (1–4 ms) pass while the write hangs
    expect(sink.attempts).toBe(1);
    expect(acksOf([batch])[0]!.settled).toBe(false);
    sink.release();
    await waitFor(() => done);
    expect(sink.maxConcurrent).toBe(1);
    expect(acksOf([batch])[0]!.calls).toEqual(['delivered']);
  });
});

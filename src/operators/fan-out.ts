/**
 * `fanOut`: sends every batch to every sink lane and acknowledges an event only when every lane
 * settled it.
 *
 * Invariants:
 * - Per batch, one parent ack settles all its events; `splitAck` gives each lane one child of it
 *   (children per batch, not per event per lane: lanes settle whole batches). The events are
 *   settled once, when the last lane settled, with the worst lane outcome
 *   (failed > delivered > rejected), so a checkpoint never passes an event one sink lost.
 * - Each lane has its own queue and writes its batches strictly in input order, one at a time.
 *   The queues are unbounded arrays, but every queued event holds flow-gate credit until all
 *   lanes settled it, so a fast lane runs ahead of a slow one by at most the gate's bound and the
 *   slower sink governs the source.
 * - Output: one `LaneProgress` per lane per batch, in the order the lanes settle them (subscribe
 *   and ignore them if not needed). Completes when the input completed and every lane drained
 *   its queue; if the input errored, the lanes still drain, then the error is passed on.
 * - Teardown (unsubscribe) cancels in-flight retries and settles every batch not yet settled by
 *   all lanes `failed` (not acknowledged: read again after a restart); credit comes back.
 * - Sinks are neither started nor closed here: the pipeline owns their lifecycle. A batch is
 *   offered to each sink's `prepare` when it is queued, so work a sink can do ahead (compression)
 *   overlaps the writes before it.
 */
import { concatMap, merge, Observable, type OperatorFunction, Subject } from 'rxjs';
import { OnceAck, splitAck } from '../core/ack.js';
import { type Ack, type EventBatch, settleAll } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { LaneProgress, LaneWork, SinkLane } from './sink-lane.js';

export interface FanOutOptions {
  /** Told how many batches a teardown left unsettled. Default: not logged. */
  readonly logger?: Logger;
  /**
   * Settle the events' own acks when every lane settled (default true). The disk buffer turns
   * it off: its events were acknowledged to the source when they reached the log, and it
   * follows the lanes' shares instead (src/buffers/disk/stage.ts).
   */
  readonly settleEvents?: boolean;
}

export function fanOut(lanes: readonly SinkLane[], opts: FanOutOptions = {}): OperatorFunction<EventBatch, LaneProgress> {
  if (lanes.length === 0) throw new RangeError('fanOut needs at least one sink lane');
  const laneList = lanes.slice();
  const settleEvents = opts.settleEvents ?? true;

  return (source) =>
    new Observable<LaneProgress>((subscriber) => {
      // Batch-level parent acks not yet settled by every lane: settled `failed` on teardown.
      const outstanding = new Set<OnceAck>();
      const queues = laneList.map(() => new Subject<LaneWork>());
      let inputError: { err: unknown } | null = null;

      const lanesSub = merge(
        ...laneList.map((lane, i) => (queues[i] as Subject<LaneWork>).pipe(concatMap((work) => lane.deliver(work)))),
      ).subscribe({
        next: (progress) => subscriber.next(progress),
        error: (err) => subscriber.error(err),
        complete() {
          if (inputError) subscriber.error(inputError.err);
          else subscriber.complete();
        },
      });

      const closeQueues = () => {
        for (const q of queues) q.complete();
      };

      const inputSub = source.subscribe({
        next(batch) {
          const events = batch.events;
          if (events.length === 0) return;
          const parent: OnceAck = new OnceAck((outcome) => {
            outstanding.delete(parent);
            if (settleEvents) settleAll(events, outcome);
          });
          outstanding.add(parent);
          const shares = splitAck(parent, laneList.length);
          for (let i = 0; i < queues.length; i++) {
            laneList[i]?.sink.prepare?.(batch);
            (queues[i] as Subject<LaneWork>).next({ batch, ack: shares[i] as Ack });
          }
        },
        error(err) {
          inputError = { err };
          closeQueues();
        },
        complete: closeQueues,
      });

      return () => {
        inputSub.unsubscribe();
        const abandoned = [...outstanding];
        lanesSub.unsubscribe();
        for (const ack of abandoned) ack.settle('failed');
        if (abandoned.length > 0) opts.logger?.warn({ batches: abandoned.length }, 'fan-out torn down; unsettled batches marked failed');
      };
    });
}

/**
 * `interceptBatch`: runs every event of a batch through the interceptor chain, in order.
 *
 * Invariants:
 * - An event the chain answers `null` for is settled `rejected` at once (filtering is final: it is
 *   never replayed) and counted as `filtered`; kept events keep their order.
 * - An interceptor that throws drops only that event, settled `rejected` and counted as
 *   `interceptor_error`; the first error of a batch is logged once with the batch's count, so a
 *   broken interceptor cannot flood the log line by line.
 * - A batch left empty is not emitted; a batch the chain left untouched is emitted as the same
 *   object (no copy on the fast path).
 * - Synchronous and stateless between batches: nothing is held, so teardown has nothing to free.
 *
 * Metrics (component kind `interceptor`, id = source id): accepted per kept event, rejected by reason.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Interceptor } from '../core/component.js';
import type { EventBatch, FlumeEvent } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface InterceptBatchOptions {
  readonly sourceId: string;
  readonly metrics: Metrics;
  /** Where an interceptor's exception is reported (once per batch). Default: not logged. */
  readonly logger?: Logger;
}

export function interceptBatch(chain: readonly Interceptor[], opts: InterceptBatchOptions): OperatorFunction<EventBatch, EventBatch> {
  const { sourceId, metrics, logger } = opts;
  const interceptors = chain.slice();

  const apply = (batch: EventBatch): EventBatch | null => {
    const events = batch.events;
    if (interceptors.length === 0) {
      metrics.eventsAccepted(sourceId, 'interceptor', events.length);
      return batch;
    }
    const kept: FlumeEvent[] = [];
    let changed = false;
    let filtered = 0;
    let thrown = 0;
    let firstError: unknown;
    let firstErrorType = '';
    for (let i = 0; i < events.length; i++) {
      const original = events[i] as FlumeEvent;
      let current: FlumeEvent | null = original;
      let j = 0;
      try {
        for (; j < interceptors.length && current !== null; j++) current = (interceptors[j] as Interceptor).intercept(current);
      } catch (err) {
        if (thrown++ === 0) {
          firstError = err;
          firstErrorType = (interceptors[j] as Interceptor).type;
        }
        original.ack.settle('rejected');
        changed = true;
        continue;
      }
      if (current === null) {
        filtered++;
        original.ack.settle('rejected');
        changed = true;
      } else {
        if (current !== original) changed = true;
        kept.push(current);
      }
    }
    metrics.eventsAccepted(sourceId, 'interceptor', kept.length);
    metrics.eventsRejected(sourceId, 'interceptor', 'filtered', filtered);
    if (thrown > 0) {
      metrics.eventsRejected(sourceId, 'interceptor', 'interceptor_error', thrown);
      logger?.warn({ sourceId, interceptor: firstErrorType, events: thrown, err: firstError }, 'interceptor threw; events dropped');
    }
    if (kept.length === 0) return null;
    return changed ? { ...batch, events: kept } : batch;
  };

  return (source) =>
    new Observable<EventBatch>((subscriber) =>
      source.subscribe({
        next(batch) {
          if (batch.events.length === 0) return;
          const out = apply(batch);
          if (out !== null) subscriber.next(out);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

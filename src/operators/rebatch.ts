/**
 * `rebatch`: coalesces small batches into batches of up to `maxEvents` events (and `maxBytes`
 * body bytes), so a sink writes in units of its batch size even when a tail source emits a few
 * lines at a time.
 *
 * Invariants:
 * - Only batches with the same `sourceId` and the same `schema` object are merged; a batch of
 *   another source or schema flushes what is buffered first. Event order is preserved.
 * - No batch is split: one larger than the limits passes through whole (after a flush of the
 *   buffer), and a batch that would overflow the buffer flushes the buffer and starts a new one.
 * - The buffer is emitted when it reaches a limit, `lingerMs` after its first event arrived,
 *   or when the input completes. A lone buffered batch is emitted as the same object.
 * - Teardown (unsubscribe) and an input error clear the linger timer and settle the buffered
 *   events `failed`: they were never handed on, so no checkpoint may pass them and their
 *   flow-gate credit must come back.
 */
import { asyncScheduler, type MonoTypeOperatorFunction, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { batchBytes, type EventBatch, type FlumeEvent, settleAll } from '../core/event.js';

export interface RebatchOptions {
  /** Most events in a merged batch (the sink's batch size). */
  maxEvents: number;
  /** Most body bytes in a merged batch. Default unlimited. */
  maxBytes?: number;
  /** Longest time the first buffered event waits for the batch to fill (0 = emit each input batch at once). */
  lingerMs: number;
  /** Scheduler for the linger timer. Default asyncScheduler. */
  scheduler?: SchedulerLike;
}

export function rebatch(opts: RebatchOptions): MonoTypeOperatorFunction<EventBatch> {
  if (!(opts.maxEvents > 0)) throw new RangeError('rebatch: maxEvents must be positive');
  if (!(opts.lingerMs >= 0)) throw new RangeError('rebatch: lingerMs must be zero or more');
  const maxEvents = opts.maxEvents;
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const lingerMs = opts.lingerMs;
  const scheduler = opts.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<EventBatch>((subscriber) => {
      let parts: EventBatch[] = [];
      let events = 0;
      let bytes = 0;
      let timer: Subscription | null = null;

      const clearTimer = () => {
        timer?.unsubscribe();
        timer = null;
      };

      const take = (): EventBatch | null => {
        clearTimer();
        if (parts.length === 0) return null;
        const taken = parts;
        parts = [];
        events = 0;
        bytes = 0;
        if (taken.length === 1) return taken[0] as EventBatch;
        const merged: FlumeEvent[] = [];
        for (const part of taken) for (const e of part.events) merged.push(e);
        return { ...(taken[0] as EventBatch), events: merged };
      };

      const flush = () => {
        const out = take();
        if (out) subscriber.next(out);
      };

      const abandon = () => {
        clearTimer();
        for (const part of parts) settleAll(part.events, 'failed');
        parts = [];
        events = 0;
        bytes = 0;
      };

      const inputSub = source.subscribe({
        next(batch) {
          const n = batch.events.length;
          if (n === 0) return;
          const size = maxBytes === Number.POSITIVE_INFINITY ? 0 : batchBytes(batch.events);
          const head = parts[0];
          if (head && (head.sourceId !== batch.sourceId || head.schema !== batch.schema)) flush();
          if (n >= maxEvents || size >= maxBytes) {
            flush();
            subscriber.next(batch);
            return;
          }
          if (events + n > maxEvents || bytes + size > maxBytes) flush();
          parts.push(batch);
          events += n;
          bytes += size;
          if (events >= maxEvents || bytes >= maxBytes || lingerMs === 0) {
            flush();
          } else if (timer === null) {
            timer = scheduler.schedule(() => {
              timer = null;
              flush();
            }, lingerMs);
          }
        },
        error(err) {
          abandon();
          subscriber.error(err);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        inputSub.unsubscribe();
        abandon();
      };
    });
}

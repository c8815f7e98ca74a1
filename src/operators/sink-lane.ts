/**
 * A sink lane: one sink with its retry policy, metrics and dead-letter path. `fanOut` gives each
 * lane its own ordered queue; the lane delivers one batch (`LaneWork`) at a time.
 *
 * Invariants:
 * - `deliver` settles `work.ack` exactly once and never errors: `delivered` after `Sink.write`
 *   resolved; `rejected` after a permanent failure was dead-lettered (stage `sink`, componentId =
 *   sink id, code and message of the error); `failed` when even the dead-letter write gave up.
 * - Attempts are sequential: the next attempt starts only after the previous one settled, so a
 *   write that never resolves is never retried concurrently. Retries follow `retryBackoff`
 *   (retriable RxfErrors only; default forever). What a sink throws that is not an RxfError is
 *   classified by errno (`asRxfError`): EAGAIN/ECONNRESET/ENOSPC… are transient, the rest permanent.
 * - The batch is shared with the other lanes: the lane and its sink must not change the events.
 *
 * Metrics (id = sink id): sinkBatchSent once per batch (not per attempt), sinkRetry per retry by
 * error class, sinkBatchAcknowledged with the latency from the first attempt to success and the
 * end-to-end latency of the batch's first (oldest) event from its `timestamp` header (one
 * observation per batch, not per event), eventsDeadLettered by reason, sinkBatchFailed when the
 * batch could not be dead-lettered.
 */
import { catchError, defer, map, type Observable, of, throwError } from 'rxjs';
import type { DeadLetterEntry, DeadLetterSink, Sink } from '../core/component.js';
import { asRxfError, ErrorCodes, type RxfError } from '../core/errors.js';
import type { Ack, EventBatch } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { DEAD_LETTER_RETRY_DEFAULTS, reasonForCode, writeDeadLetters } from './dead-letter-write.js';
import { errorClassOf, type RetryBackoffOptions, retryBackoff } from './retry-backoff.js';

/** One batch for one lane, with the lane's share of the batch's acknowledgement. */
export interface LaneWork {
  readonly batch: EventBatch;
  readonly ack: Ack;
}

export type LaneOutcome = 'delivered' | 'dead_lettered' | 'failed';

/** What a lane reports after it settled a batch (fanOut emits these). */
export interface LaneProgress {
  readonly laneId: string;
  readonly sourceId: string;
  readonly events: number;
  readonly outcome: LaneOutcome;
  /** Write attempts made (1 = no retry). */
  readonly attempts: number;
  /** The sink error that sent the batch to the dead-letter sink (outcome not `delivered`). */
  readonly error?: RxfError;
}

export interface SinkLane {
  readonly id: string;
  readonly sink: Sink;
  /** Delivers one batch; emits one LaneProgress and completes; never errors. Cold: starts on subscribe. */
  deliver(work: LaneWork): Observable<LaneProgress>;
}

export interface SinkLaneOptions {
  /** Backoff for the sink's writes. Default: RETRY_DEFAULTS (forever, 100 ms doubling to 30 s, ±20 %). */
  readonly retry?: RetryBackoffOptions;
  readonly metrics: Metrics;
  readonly deadLetter: DeadLetterSink;
  readonly logger: Logger;
  /** Backoff for dead-letter writes. Default DEAD_LETTER_RETRY_DEFAULTS. */
  readonly deadLetterRetry?: RetryBackoffOptions;
  /** Clock for the latency metric, in ms. Default performance.now. */
  readonly now?: () => number;
}

/** Anything a sink throws, as an RxfError: errno-transient ones retriable, the rest permanent. */
function asSinkError(err: unknown): RxfError {
  const transient = asRxfError(err, ErrorCodes.SINK_TRANSIENT);
  return transient.retriable ? transient : asRxfError(err, ErrorCodes.SINK_PERMANENT);
}

/** Epoch millis in the `timestamp` header of the batch's first event (the oldest); NaN if absent. */
function oldestTimestamp(batch: EventBatch): number {
  const header = batch.events[0]?.headers.timestamp;
  return header === undefined ? Number.NaN : Number(header);
}

export function createSinkLane(sink: Sink, opts: SinkLaneOptions): SinkLane {
  const { metrics, deadLetter, logger } = opts;
  const id = sink.id;
  const now = opts.now ?? (() => performance.now());
  const userRetry = opts.retry ?? {};
  const retry: RetryBackoffOptions = {
    ...userRetry,
    onRetry(err, attempt, delayMs) {
      const errorClass = errorClassOf(err);
      metrics.sinkRetry(id, errorClass);
      logger.warn({ sink: id, attempt, delayMs, errorClass, err }, 'sink write failed; retrying');
      userRetry.onRetry?.(err, attempt, delayMs);
    },
  };
  const deadLetterRetry = opts.deadLetterRetry ?? DEAD_LETTER_RETRY_DEFAULTS;

  const deadLetterBatch = (work: LaneWork, error: RxfError, attempts: number): Observable<LaneProgress> => {
    const { batch, ack } = work;
    const n = batch.events.length;
    const entries: DeadLetterEntry[] = batch.events.map((event) => ({
      event,
      sourceId: batch.sourceId,
      stage: 'sink',
      code: error.code,
      reason: error.message,
      componentId: id,
    }));
    logger.error({ sink: id, events: n, attempts, err: error }, 'sink rejected batch; dead-lettering it');
    const report = (outcome: LaneOutcome): LaneProgress => ({ laneId: id, sourceId: batch.sourceId, events: n, outcome, attempts, error });
    return writeDeadLetters(deadLetter, entries, deadLetterRetry).pipe(
      map(() => {
        ack.settle('rejected');
        metrics.eventsDeadLettered(id, reasonForCode(error.code), n, 'sink');
        return report('dead_lettered');
      }),
      catchError((deadLetterError: unknown) => {
        ack.settle('failed');
        metrics.sinkBatchFailed(id, n);
        logger.error({ sink: id, events: n, err: deadLetterError }, 'dead-letter write gave up; batch left unacknowledged');
        return of(report('failed'));
      }),
    );
  };

  const deliver = (work: LaneWork): Observable<LaneProgress> =>
    defer(() => {
      const { batch, ack } = work;
      const n = batch.events.length;
      const started = now();
      let attempts = 0;
      metrics.sinkBatchSent(id, n);
      return defer(() => {
        attempts++;
        return sink.write(batch);
      }).pipe(
        catchError((err: unknown) => throwError(() => asSinkError(err))),
        retryBackoff(retry),
        map((): LaneProgress => {
          ack.settle('delivered');
          metrics.sinkBatchAcknowledged(id, n, (now() - started) / 1000, oldestTimestamp(batch));
          return { laneId: id, sourceId: batch.sourceId, events: n, outcome: 'delivered', attempts };
        }),
        catchError((err: unknown) => deadLetterBatch(work, asSinkError(err), attempts)),
      );
    });

  return { id, sink, deliver };
}

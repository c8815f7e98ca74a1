/**
 * `validateBatch`: parses each event body into an Avro-valid record; what cannot be carried goes
 * to the dead-letter sink.
 *
 * Invariants:
 * - Valid events get `event.record` and are emitted at once, in their original order, in a batch
 *   carrying `schema: parser.schema`; a batch with no valid event is not emitted.
 * - An event with `event.error` (set by the source: oversize line, …) is dead-lettered with stage
 *   `source`; a failed parse with stage `validate` when the code is RXF_VALIDATION_FAILED, else
 *   `parse` (a parser that throws counts as RXF_PARSE_FAILED). Code and reason come from the
 *   source or parser.
 * - Rejected events are settled `rejected` only after `DeadLetterSink.write` resolved. Writes are
 *   serialised (one at a time, in batch order) and retried with backoff (writeDeadLetters); when
 *   the retries are used up the events are settled `failed` (not acknowledged: read again after a
 *   restart) and the failure is logged.
 * - The output completes (or errors, if the input errored) only after every queued dead-letter
 *   write finished, so a drain on shutdown does not leave rejected events unsettled.
 * - Teardown (unsubscribe) cancels retry waits and settles every event still waiting for its
 *   dead-letter write `failed`, so no ack is left hanging and no flow-gate credit leaks.
 *
 * Metrics (kind `validator`, id = source id): accepted per valid event; rejected by reason
 * (`invalid`, `line_too_long`, …) when decided; dead-lettered by reason once durable.
 */
import { catchError, concatMap, EMPTY, finalize, Observable, type OperatorFunction, Subject, tap } from 'rxjs';
import type { DeadLetterEntry, DeadLetterSink, ParseResult, RecordParser } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { type EventBatch, type FlumeEvent, settleAll } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { DEAD_LETTER_RETRY_DEFAULTS, reasonForCode, writeDeadLetters } from './dead-letter-write.js';
import type { RetryBackoffOptions } from './retry-backoff.js';

export interface ValidateBatchOptions {
  readonly sourceId: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Backoff for dead-letter writes (any error is retried). Default DEAD_LETTER_RETRY_DEFAULTS. */
  readonly deadLetterRetry?: RetryBackoffOptions;
}

interface DeadLetterJob {
  readonly entries: DeadLetterEntry[];
  readonly events: FlumeEvent[];
  /** Events per reason, for the dead-lettered counter. */
  readonly reasons: Map<string, number>;
}

export function validateBatch(
  parser: RecordParser,
  deadLetter: DeadLetterSink,
  opts: ValidateBatchOptions,
): OperatorFunction<EventBatch, EventBatch> {
  const { sourceId, metrics, logger } = opts;
  const userRetry = opts.deadLetterRetry ?? DEAD_LETTER_RETRY_DEFAULTS;
  const retry: RetryBackoffOptions = {
    ...userRetry,
    onRetry(err, attempt, delayMs) {
      logger.warn({ sourceId, attempt, delayMs, err }, 'dead-letter write failed; retrying');
      userRetry.onRetry?.(err, attempt, delayMs);
    },
  };

  const split = (batch: EventBatch): { valid: FlumeEvent[]; job: DeadLetterJob | null } => {
    const events = batch.events;
    const valid: FlumeEvent[] = [];
    let job: DeadLetterJob | null = null;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlumeEvent;
      let entry: DeadLetterEntry;
      if (event.error) {
        entry = { event, sourceId, stage: 'source', code: event.error.code, reason: event.error.reason };
      } else {
        const result = parseSafely(parser, event.body);
        if (result.ok) {
          event.record = result.record;
          valid.push(event);
          continue;
        }
        const stage = result.code === ErrorCodes.VALIDATION_FAILED ? 'validate' : 'parse';
        entry = { event, sourceId, stage, code: result.code, reason: result.reason };
      }
      job ??= { entries: [], events: [], reasons: new Map() };
      job.entries.push(entry);
      job.events.push(event);
      const reason = reasonForCode(entry.code);
      job.reasons.set(reason, (job.reasons.get(reason) ?? 0) + 1);
    }
    return { valid, job };
  };

  return (source) =>
    new Observable<EventBatch>((subscriber) => {
      const pending = new Set<DeadLetterJob>();
      const queue = new Subject<DeadLetterJob>();
      let inputError: { err: unknown } | null = null;

      const deadLetterSub = queue
        .pipe(
          concatMap((job) =>
            writeDeadLetters(deadLetter, job.entries, retry).pipe(
              tap(() => {
                settleAll(job.events, 'rejected');
                for (const [reason, n] of job.reasons) metrics.eventsDeadLettered(sourceId, reason, n);
              }),
              catchError((err: unknown) => {
                settleAll(job.events, 'failed');
                logger.error({ sourceId, events: job.events.length, err }, 'dead-letter write gave up; events left unacknowledged');
                return EMPTY;
              }),
              finalize(() => pending.delete(job)),
            ),
          ),
        )
        .subscribe({
          complete() {
            if (inputError) subscriber.error(inputError.err);
            else subscriber.complete();
          },
        });

      const inputSub = source.subscribe({
        next(batch) {
          const { valid, job } = split(batch);
          metrics.eventsAccepted(sourceId, 'validator', valid.length);
          if (job) {
            for (const [reason, n] of job.reasons) metrics.eventsRejected(sourceId, 'validator', reason, n);
            pending.add(job);
            queue.next(job);
          }
          if (valid.length > 0) subscriber.next({ ...batch, events: valid, schema: parser.schema });
        },
        error(err) {
          inputError = { err };
          queue.complete();
        },
        complete() {
          queue.complete();
        },
      });

      return () => {
        inputSub.unsubscribe();
        const abandoned = [...pending];
        deadLetterSub.unsubscribe();
        for (const job of abandoned) settleAll(job.events, 'failed');
      };
    });
}

function parseSafely(parser: RecordParser, body: Buffer): ParseResult {
  try {
    return parser.parse(body);
  } catch (err) {
    return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `parser threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}

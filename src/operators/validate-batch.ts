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
 * - With a parse worker (the parser's `openBatchParser`, unless `worker: false`): each batch's
 *   bodies go to the worker as they arrive and the answers are applied in input order through one
 *   promise chain; valid events get their record Avro-encoded (a line event decodes it only when
 *   read; a sink can copy the bytes). Completion waits for every answer. If the worker dies, the
 *   output errors (RXF_PARSE_FAILED) and every event still in the worker is settled `failed`
 *   (read again after a restart); teardown settles them `failed` too and closes the worker. The
 *   batches in the worker took flow-gate credit, so the gate bounds them. A worker that cannot
 *   start (script missing) is logged and parsing stays on this thread.
 *
 * Metrics (kind `validator`, id = source id): accepted per valid event; rejected by reason
 * (`invalid`, `line_too_long`, …) when decided; dead-lettered by reason once durable.
 */
import { catchError, concatMap, EMPTY, finalize, Observable, type OperatorFunction, Subject, tap } from 'rxjs';
import type { BatchParser, DeadLetterEntry, DeadLetterSink, EncodedBatch, ParseResult, RecordParser } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { canHoldEncodedRecord, type EncodedRecords, type EventBatch, type FlumeEvent, settleAll } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { canParseEventBodies } from '../schemas/parse-worker-client.js';
import { DEAD_LETTER_RETRY_DEFAULTS, reasonForCode, writeDeadLetters } from './dead-letter-write.js';
import type { RetryBackoffOptions } from './retry-backoff.js';

export interface ValidateBatchOptions {
  readonly sourceId: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Backoff for dead-letter writes (any error is retried). Default DEAD_LETTER_RETRY_DEFAULTS. */
  readonly deadLetterRetry?: RetryBackoffOptions;
  /** Parse in the parser's worker thread when it offers one (`openBatchParser`). Default true. */
  readonly worker?: boolean;
}

interface Split {
  readonly valid: FlumeEvent[];
  readonly job: DeadLetterJob | null;
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

  const reject = (
    job: DeadLetterJob | null,
    event: FlumeEvent,
    stage: DeadLetterEntry['stage'],
    code: string,
    reason: string,
  ): DeadLetterJob => {
    const out: DeadLetterJob = job ?? { entries: [], events: [], reasons: new Map() };
    out.entries.push({ event, sourceId, stage, code, reason });
    out.events.push(event);
    const key = reasonForCode(code);
    out.reasons.set(key, (out.reasons.get(key) ?? 0) + 1);
    return out;
  };
  const stageOf = (code: string) => (code === ErrorCodes.VALIDATION_FAILED ? 'validate' : 'parse');

  /** Parses on this thread. */
  const split = (batch: EventBatch): Split => {
    const events = batch.events;
    const valid: FlumeEvent[] = [];
    let job: DeadLetterJob | null = null;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlumeEvent;
      if (event.error) {
        job = reject(job, event, 'source', event.error.code, event.error.reason);
        continue;
      }
      const result = parseSafely(parser, event.body);
      if (result.ok) {
        event.record = result.record;
        valid.push(event);
      } else {
        job = reject(job, event, stageOf(result.code), result.code, result.reason);
      }
    }
    return { valid, job };
  };

  /** Applies a worker's answer for the events of `batch` that carry no source error, in order. */
  const splitEncoded = (batch: EventBatch, result: EncodedBatch): Split => {
    const events = batch.events;
    const { encodedEnds, failures } = result;
    const records: EncodedRecords = { bytes: result.encoded, decoder: parser.schema.type as EncodedRecords['decoder'] };
    const valid: FlumeEvent[] = [];
    let job: DeadLetterJob | null = null;
    let line = 0;
    let nextFailure = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlumeEvent;
      if (event.error) {
        job = reject(job, event, 'source', event.error.code, event.error.reason);
        continue;
      }
      const failure = failures[nextFailure];
      if (failure !== undefined && failure.index === line) {
        nextFailure++;
        line++;
        job = reject(job, event, stageOf(failure.code), failure.code, failure.reason);
        continue;
      }
      const start = line === 0 ? 0 : (encodedEnds[line - 1] as number);
      const end = encodedEnds[line] as number;
      line++;
      if (canHoldEncodedRecord(event)) event.holdEncodedRecord(records, start, end);
      else event.record = records.decoder.decode(records.bytes.subarray(start, end)).value as Record<string, unknown>;
      valid.push(event);
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

      const emit = (batch: EventBatch, { valid, job }: Split) => {
        metrics.eventsAccepted(sourceId, 'validator', valid.length);
        if (job) {
          for (const [reason, n] of job.reasons) metrics.eventsRejected(sourceId, 'validator', reason, n);
          pending.add(job);
          queue.next(job);
        }
        if (valid.length > 0) subscriber.next({ ...batch, events: valid, schema: parser.schema });
      };

      // With a worker, batches are parsed in order off this thread; answers are applied through
      // one promise chain, so output order is input order. `inWorker` holds the batches sent and
      // not yet applied, for teardown to fail them.
      const batchParser = openWorker(parser, opts, logger, sourceId);
      const inWorker = new Set<EventBatch>();
      let chain: Promise<void> = Promise.resolve();
      let closed = false;

      const send = (batch: EventBatch, parserOfBatch: BatchParser) => {
        const lines: FlumeEvent[] = [];
        for (const e of batch.events) if (!e.error) lines.push(e);
        const answer = lines.length === 0 ? Promise.resolve(NO_LINES) : parseLines(parserOfBatch, lines);
        answer.catch(() => undefined); // handled in the chain; this only marks it observed
        inWorker.add(batch);
        chain = chain
          .then(async () => {
            const result = await answer;
            if (closed) return;
            inWorker.delete(batch);
            emit(batch, splitEncoded(batch, result));
          })
          .catch((err: unknown) => {
            if (closed) return;
            logger.error({ sourceId, err }, 'parse worker failed; events in flight left unacknowledged');
            subscriber.error(err);
          });
      };

      const finishInput = () => {
        chain = chain.then(() => {
          if (!closed) queue.complete();
        });
      };

      const inputSub = source.subscribe({
        next(batch) {
          if (batchParser) send(batch, batchParser);
          else emit(batch, split(batch));
        },
        error(err) {
          inputError = { err };
          finishInput();
        },
        complete() {
          finishInput();
        },
      });

      return () => {
        closed = true;
        inputSub.unsubscribe();
        const abandoned = [...pending];
        deadLetterSub.unsubscribe();
        for (const job of abandoned) settleAll(job.events, 'failed');
        for (const batch of inWorker) settleAll(batch.events, 'failed');
        inWorker.clear();
        batchParser?.close().catch(() => undefined);
      };
    });
}

/** The parser's answer for `lines`, bodies copied without joining appended suffixes when it can. */
function parseLines(parser: BatchParser, lines: readonly FlumeEvent[]): Promise<EncodedBatch> {
  if (canParseEventBodies(parser)) return parser.parseEventBodies(lines);
  return parser.parseBatch(lines.map((e) => e.body));
}

const NO_LINES: EncodedBatch = { encoded: Buffer.alloc(0), encodedEnds: new Int32Array(0), failures: [] };

/** The parser's worker when it offers one and `opts.worker` allows; parsing here if it cannot start. */
function openWorker(parser: RecordParser, opts: ValidateBatchOptions, logger: Logger, sourceId: string): BatchParser | undefined {
  if (opts.worker === false || !parser.openBatchParser) return undefined;
  try {
    return parser.openBatchParser();
  } catch (err) {
    logger.warn({ sourceId, err }, 'parse worker could not start; parsing on the main thread');
    return undefined;
  }
}

function parseSafely(parser: RecordParser, body: Buffer): ParseResult {
  try {
    return parser.parse(body);
  } catch (err) {
    return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `parser threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}

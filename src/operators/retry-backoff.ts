/**
 * `retryBackoff`: re-subscribes a per-batch send after a retriable failure, with exponential
 * backoff, jitter and a cap.
 *
 * Use it on the send of ONE batch (`defer(() => sink.write(batch)).pipe(retryBackoff(...))`),
 * never around a source: `retry` re-subscribes to its source, and around a tail that would
 * restart the tail. Because it sits on one batch's send, the attempt counter starts at zero for
 * every subscription (every batch), and an attempt is only made after the previous one settled:
 * a write that never resolves is never retried concurrently (there is no timeout here; a sink
 * that needs one rejects with a transient error itself).
 *
 * Delay of retry n (1-based): base = min(maxDelayMs, initialDelayMs * multiplier^(n-1)), then
 * full ±jitter (base * (1 + jitter * (2r - 1)), r uniform in [0,1)), clamped to [0, maxDelayMs],
 * rounded to whole milliseconds. A `queue_full` error waits at least `queueFullDelayMs`. No delay
 * exceeds 2^31 - 1 ms (~24.8 days): Node would fire a longer timer at once, retrying in a hot loop.
 *
 * Errors handled: an RxfError with `retriable` (errorClass transient or queue_full) is retried up to
 * `maxRetries` times (default forever, so nothing is lost); permanent RxfErrors, non-RxfErrors and
 * the error after the last retry go straight through. `shouldRetry`, when given, replaces that
 * classification (the dead-letter writer uses it to retry anything a bounded number of times).
 */
import { asyncScheduler, type MonoTypeOperatorFunction, retry, type SchedulerLike, throwError, timer } from 'rxjs';
import { type ErrorClass, RxfError } from '../core/errors.js';

export interface RetryBackoffOptions {
  /** Delay before the first retry. Default 100 ms. */
  initialDelayMs?: number;
  /** Cap on any single delay. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Growth factor per retry. Default 2. */
  multiplier?: number;
  /** Full ± fraction of the delay drawn at random (0 = none). Default 0.2. */
  jitter?: number;
  /** Retries after the first attempt; `undefined`/Infinity = forever. Default Infinity. */
  maxRetries?: number;
  /** Least delay after a `queue_full` error (the destination asked us to back off). Default 1000 ms. */
  queueFullDelayMs?: number;
  /** Decides whether to retry (replaces the default: RxfError with `retriable`). `attempt` is 1-based. */
  shouldRetry?(err: unknown, attempt: number): boolean;
  /** Told before each wait (for metrics and logs). */
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
  /** Scheduler for the waits; a TestScheduler drives them in virtual time. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /** Random source in [0,1) for jitter (tests pin it). Default Math.random. */
  random?: () => number;
}

/** The longest delay a Node timer holds (2^31 - 1 ms); a longer one fires at once (a hot retry loop). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const RETRY_DEFAULTS = {
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
  maxRetries: Number.POSITIVE_INFINITY,
  queueFullDelayMs: 1000,
} as const;

/** The default retry decision: only RxfErrors that say they are retriable. */
export function isRetriable(err: unknown): boolean {
  return err instanceof RxfError && err.retriable;
}

/** The error class used for backoff and metrics; anything that is not an RxfError counts as transient. */
export function errorClassOf(err: unknown): ErrorClass {
  return err instanceof RxfError ? err.errorClass : 'transient';
}

/** The delay before retry `attempt` (1-based) for `err`; exported so callers and tests can reason about it. */
export function backoffDelay(err: unknown, attempt: number, opts: RetryBackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs;
  const max = opts.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const multiplier = opts.multiplier ?? RETRY_DEFAULTS.multiplier;
  const jitter = opts.jitter ?? RETRY_DEFAULTS.jitter;
  const base = Math.min(max, initial * multiplier ** (attempt - 1));
  const jittered = jitter > 0 ? base * (1 + jitter * (2 * random() - 1)) : base;
  let delay = Math.round(Math.min(max, Math.max(0, jittered)));
  if (errorClassOf(err) === 'queue_full') delay = Math.max(delay, opts.queueFullDelayMs ?? RETRY_DEFAULTS.queueFullDelayMs);
  return Math.min(delay, MAX_TIMER_MS);
}

export function retryBackoff<T>(opts: RetryBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const maxRetries = opts.maxRetries ?? RETRY_DEFAULTS.maxRetries;
  const scheduler = opts.scheduler ?? asyncScheduler;
  const random = opts.random ?? Math.random;
  const shouldRetry = opts.shouldRetry ?? isRetriable;
  return retry<T>({
    count: maxRetries,
    delay: (err: unknown, attempt: number) => {
      if (!shouldRetry(err, attempt)) return throwError(() => err);
      const delayMs = backoffDelay(err, attempt, opts, random);
      opts.onRetry?.(err, attempt, delayMs);
      return timer(delayMs, scheduler);
    },
  });
}

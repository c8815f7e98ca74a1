/**
 * Writing rejected events to the dead-letter sink, shared by the validation stage and the
 * fan-out lanes.
 *
 * Invariants: the returned observable emits once (then completes) only after
 * `DeadLetterSink.write` resolved, i.e. the entries are durable; only then may the caller settle
 * the events `rejected`. The dead-letter sink is our own disk, so ANY failure is retried with
 * backoff (default 8 retries, 100 ms doubling to at most 5 s); when the retries are used up the
 * observable errors and the caller settles the events `failed` (never acknowledged, so a
 * checkpoint stops before them and they are read again after a restart).
 *
 * Reasons: metric labels must have few values, so a code is turned into a short reason
 * (`RXF_LINE_TOO_LONG` → `line_too_long`); parse and validation failures, and codes a parser
 * invented, are all `invalid`.
 */
import { defer, map, type Observable } from 'rxjs';
import type { DeadLetterEntry, DeadLetterSink } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { type RetryBackoffOptions, retryBackoff } from './retry-backoff.js';

export const DEAD_LETTER_RETRY_DEFAULTS: RetryBackoffOptions = {
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.2,
  maxRetries: 8,
};

/** Writes `entries` durably, retrying any failure; see the module header. */
export function writeDeadLetters(
  deadLetter: DeadLetterSink,
  entries: readonly DeadLetterEntry[],
  retry: RetryBackoffOptions = DEAD_LETTER_RETRY_DEFAULTS,
): Observable<true> {
  return defer(() => deadLetter.write(entries)).pipe(
    retryBackoff({ ...DEAD_LETTER_RETRY_DEFAULTS, ...retry, shouldRetry: retry.shouldRetry ?? (() => true) }),
    map(() => true as const),
  );
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** A low-cardinality metric reason for an error code (see the module header). */
export function reasonForCode(code: string): string {
  if (code === ErrorCodes.PARSE_FAILED || code === ErrorCodes.VALIDATION_FAILED || !KNOWN_CODES.has(code)) return 'invalid';
  return code.slice('RXF_'.length).toLowerCase();
}

/**
 * One error type for the whole agent, with stable codes.
 *
 * Invariants: every error that crosses a component boundary is an RxfError (or is wrapped into
 * one by `asRxfError`), so retry logic and dead-lettering decide on `retriable` and `code` alone,
 * never on message text.
 */

export const ErrorCodes = {
  CONFIG_INVALID: 'RXF_CONFIG_INVALID',
  CONFIG_READ: 'RXF_CONFIG_READ',
  PARSE_FAILED: 'RXF_PARSE_FAILED',
  VALIDATION_FAILED: 'RXF_VALIDATION_FAILED',
  LINE_TOO_LONG: 'RXF_LINE_TOO_LONG',
  INVALID_UTF8: 'RXF_INVALID_UTF8',
  SINK_TRANSIENT: 'RXF_SINK_TRANSIENT',
  SINK_PERMANENT: 'RXF_SINK_PERMANENT',
  QUEUE_FULL: 'RXF_QUEUE_FULL',
  CHECKPOINT_CORRUPT: 'RXF_CHECKPOINT_CORRUPT',
  IO: 'RXF_IO',
  NO_SPACE: 'RXF_NO_SPACE',
  SOURCE_FAILED: 'RXF_SOURCE_FAILED',
  SHUTDOWN: 'RXF_SHUTDOWN',
  SCHEMA_INCOMPATIBLE: 'RXF_SCHEMA_INCOMPATIBLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export type ErrorClass = 'transient' | 'permanent' | 'queue_full';

export class RxfError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly errorClass: ErrorClass;

  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; errorClass?: ErrorClass; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RxfError';
    this.code = code;
    this.errorClass = opts.errorClass ?? (opts.retriable ? 'transient' : 'permanent');
    this.retriable = this.errorClass !== 'permanent';
  }
}

/** Node errno codes that mean "try again later" rather than "this will never work". */
const TRANSIENT_ERRNO = new Set([
  'EAGAIN',
  'EBUSY',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EMFILE',
  'ENFILE',
  'EIO',
  'ENOSPC',
  'EDQUOT',
]);

/** Wraps anything thrown into an RxfError; filesystem errors are classified by errno. */
export function asRxfError(err: unknown, fallback: ErrorCode = ErrorCodes.IO): RxfError {
  if (err instanceof RxfError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new RxfError(ErrorCodes.NO_SPACE, `no space left on device: ${message}`, { retriable: true, cause: err });
  }
  const retriable = errno !== undefined && TRANSIENT_ERRNO.has(errno);
  return new RxfError(fallback, message, { retriable, cause: err });
}

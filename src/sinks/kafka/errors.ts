/**
 * Classifies what a Kafka send threw into an RxfError the sink lane acts on.
 *
 * - permanent (the batch is dead-lettered with the reason): the broker will refuse these
 *   messages however often they are sent — message or request too large, invalid topic or
 *   record, topic/cluster authorization, unsupported compression or required acks, policy.
 * - transient (backoff, retry the same batch): everything else, so an unknown failure never
 *   discards data. `connection: true` additionally means the producer itself is suspect
 *   (connection refused/closed, request timeout, broker missing from metadata, "disconnected"):
 *   the sink throws that producer away and connects a fresh one, because kafkajs does not always
 *   re-open a dropped connection by itself.
 *
 * kafkajs wraps the real error (retries are off, so a protocol error arrives as
 * KafkaJSNumberOfRetriesExceeded or KafkaJSNonRetriableError with `cause`); we unwrap first.
 */
import { ErrorCodes, RxfError } from '../../core/errors.js';

/** Kafka protocol errors that no retry can fix, by error code (answers that carry a non-zero errorCode). */
const PERMANENT_CODES = new Map<number, string>([
  [10, 'MESSAGE_TOO_LARGE'],
  [18, 'RECORD_LIST_TOO_LARGE'],
  [17, 'INVALID_TOPIC_EXCEPTION'],
  [87, 'INVALID_RECORD'],
  [29, 'TOPIC_AUTHORIZATION_FAILED'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED'],
  [21, 'INVALID_REQUIRED_ACKS'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT'],
  [44, 'POLICY_VIOLATION'],
]);

/** The same, by kafkajs error `type`. */
const PERMANENT_TYPES = new Set(PERMANENT_CODES.values());

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSSASLAuthenticationError',
  'RxflumeProducerThreadError',
]);

const WRAPPERS = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

export class KafkaSendError extends RxfError {
  constructor(
    message: string,
    retriable: boolean,
    /** The producer should be replaced before the next attempt. */
    readonly connection: boolean,
    cause?: unknown,
  ) {
    super(retriable ? ErrorCodes.SINK_TRANSIENT : ErrorCodes.SINK_PERMANENT, message, { retriable, cause });
  }
}

interface KafkaJsLike {
  name?: string;
  message?: string;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

/** The innermost error kafkajs wrapped. */
export function unwrapKafkaError(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const e = current as KafkaJsLike | undefined;
    if (!e || !WRAPPERS.has(e.name ?? '')) break;
    const inner = e.cause ?? e.originalError;
    if (inner === undefined) break;
    current = inner;
  }
  return current;
}

export function classifyKafkaError(err: unknown, sinkId: string): KafkaSendError {
  if (err instanceof KafkaSendError) return err;
  const inner = unwrapKafkaError(err) as KafkaJsLike | undefined;
  const name = inner?.name ?? 'Error';
  const text = inner?.message ?? String(err);
  if (inner?.type && PERMANENT_TYPES.has(inner.type)) {
    return new KafkaSendError(`kafka sink ${sinkId}: broker refused the messages (${inner.type}): ${text}`, false, false, err);
  }
  const lower = text.toLowerCase();
  const connection = CONNECTION_ERRORS.has(name) || lower.includes('disconnected') || lower.includes('connection');
  const what = inner?.type ?? name;
  return new KafkaSendError(`kafka sink ${sinkId}: ${what}: ${text}`, true, connection, err);
}

/** An error for a non-zero errorCode in a broker answer kafkajs passed through. */
export function partitionAnswerError(sinkId: string, topic: string, partition: number, code: number): KafkaSendError {
  const permanent = PERMANENT_CODES.get(code);
  const what = permanent ?? `error code ${code}`;
  return new KafkaSendError(`kafka sink ${sinkId}: ${topic}[${partition}] answered ${what}`, permanent === undefined, false);
}

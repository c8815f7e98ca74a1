/** The per-batch RxJS operators of a pipeline, in flow order. Each module documents its invariants. */

export { DEAD_LETTER_RETRY_DEFAULTS, reasonForCode, writeDeadLetters } from './dead-letter-write.js';
export { type FanOutOptions, fanOut } from './fan-out.js';
export { type InterceptBatchOptions, interceptBatch } from './intercept-batch.js';
export { type RebatchOptions, rebatch } from './rebatch.js';
export { backoffDelay, errorClassOf, isRetriable, RETRY_DEFAULTS, type RetryBackoffOptions, retryBackoff } from './retry-backoff.js';
export { createSinkLane, type LaneOutcome, type LaneProgress, type LaneWork, type SinkLane, type SinkLaneOptions } from './sink-lane.js';
export { type ValidateBatchOptions, validateBatch } from './validate-batch.js';

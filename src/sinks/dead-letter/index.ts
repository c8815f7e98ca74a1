/** The dead-letter sink: where rejected events are kept, durably, with the reason they were rejected. */
export { DEFAULT_DEAD_LETTER_MAX_FILE_BYTES, type DeadLetterConfig, deadLetterConfigSchema } from './config.js';
export { type DeadLetterRecord, RAW_LIMIT_BYTES, rawBytesOf, toDeadLetterLine, toDeadLetterRecord } from './entry-format.js';
export { createFileDeadLetterSink, FileDeadLetterSink, type FileDeadLetterSinkOptions } from './file-sink.js';

/**
 * The durable disk buffer (`buffer: {type: disk}`): a write-ahead log between a source's
 * validated batches and its sinks. Overview; each file's header has the details.
 *
 *   source → interceptors → parse/validate (dead-letter) → rebatch → [append: disk-log.ts]
 *          ← ack once durable                                            │
 *                                 sinks ← fan-out ← [read: stage.ts] ←───┘  (per-sink positions)
 *
 * Guarantees:
 * - The source's events are acknowledged (its checkpoint advances, a spool file completes) once
 *   their batch is in the log: with `fsync: batch` written and fsynced, so neither a process
 *   nor a machine crash loses them; with `fsync: interval` written to the page cache and
 *   fsynced every `fsyncIntervalMs`, so a process crash loses nothing and a machine crash may
 *   lose up to that interval of acknowledged events (weaker, cheaper).
 * - Every sink receives every frame at least once, in log order, with the original event ids,
 *   headers, bodies and records; after a restart each sink resumes from its own persisted
 *   position (positions.ts), so only frames it had not acknowledged (plus, after a crash, at
 *   most the last ~200 ms of acknowledgements whose position save had not happened) come again.
 * - A segment is deleted only when every sink of the source is past it; `maxBytes` bounds the
 *   frame bytes on disk (`whenFull: block` holds the source, `drop_newest` makes the source
 *   drop and count its newest batches while the log is full, see source-buffer.ts).
 * - Stopping drains the log to the sinks within the agent's drain deadline; what is left is
 *   delivered after the next start (it is on disk).
 *
 * - Memory stays bounded whatever the sinks do: the intake gate (read, not yet in the log: 50 k
 *   events / 32 MiB, source-buffer.ts), the frames held for the reader (50 k events) and the
 *   read window (read from the log, not yet settled by every sink: 50 k events / 32 MiB). With
 *   healthy sinks the intake is paced to the reader and events reach the sinks from memory (no
 *   read-back, no decoding); a reader stalled for 1 s lets the log absorb.
 *
 * On-disk format (segment-format.ts, batch-codec.ts): `<dir>/<seq:16 digits>.wal` segments of
 * `u32 length | u32 CRC-32 | payload` frames (one batch each) after an 8-byte magic, and
 * `<dir>/positions.json` (per-sink positions). `dir` defaults to `<stateDir>/buffers/<source>`.
 *
 * Failure modes: a torn or corrupt frame is cut at recovery or skipped on read, and counted in
 * rxflume_buffer_torn_records_total; a failed write/fsync/create (ENOSPC, EIO, …) is logged
 * once with a clear message, counted in rxflume_buffer_write_errors_total{code} and retried with
 * backoff until it succeeds, while the source waits unacknowledged; a folder used by two logs
 * in one process is refused at start.
 *
 * Not covered: two processes sharing one buffer folder (one agent per state folder); a sink
 * removed from the config simply loses its position (its unread frames are deleted once the
 * remaining sinks pass them).
 */
export { DISK_BUFFER_DEFAULTS, type DiskBufferOptions, diskBufferSchema } from './config.js';
export { DiskLog, type DiskLogOptions, type ReadFrame } from './disk-log.js';
export { type DiskBufferedOptions, diskBuffered } from './stage.js';

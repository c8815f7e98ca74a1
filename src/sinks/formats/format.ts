/**
 * The contract between the HDFS sink and a file format.
 *
 * A format turns events into bytes in units that can be cut between: a line (text) or a block
 * (Avro container). The sink appends one `encode` result per bucket per batch and records the
 * file length after it as durable, so truncating a file back to a recorded length always lands
 * on a unit boundary and leaves a readable file.
 *
 * Work ahead: `prepare` may start the file-independent part of encoding a group of events (Avro:
 * cutting and compressing blocks) before the sink's turn comes; `encodePrepared` of the file's
 * encoder finishes it (Avro: framing with the file's sync marker), with the bytes `encode` gives.
 *
 * Failure modes: `check` throws a permanent RxfError (RXF_SINK_PERMANENT) for a batch the format
 * can never write (Avro without a schema or a record); retrying such a batch cannot help.
 */
import type { EventBatch, FlumeEvent } from '../../core/event.js';

/** Serializer bound to one output file (an Avro file has one schema and one sync marker). */
export interface FileEncoder {
  /** Bytes that open the file (empty for text); written before the first record. */
  header(): Buffer;
  /**
   * Whole units (lines or blocks) for `events`, appended after what is already in the file. May
   * answer a promise (work done off the main thread); it reads `events` before returning, and
   * throws synchronously when they cannot be encoded.
   */
  encode(events: readonly FlumeEvent[]): Buffer | Promise<Buffer>;
  /** Whether events of `batch` may go into this file (false: roll to a new file first). */
  accepts(batch: EventBatch): boolean;
  /** The same bytes as `encode(events)` from work `prepare` started for those events. */
  encodePrepared?(prepared: PreparedEvents): Promise<Buffer>;
}

/** Encoding work started early by `FileFormat.prepare` for one group of events. */
export interface PreparedEvents {
  readonly events: readonly FlumeEvent[];
  /** Settles when the work is done; rejects (a permanent RxfError) when the events cannot be encoded. */
  readonly work: Promise<unknown>;
}

export interface FileFormat {
  readonly name: string;
  /** Throws a permanent RxfError when the batch cannot be written in this format. */
  check(batch: EventBatch): void;
  /** A new encoder for a new file whose first batch is `batch`. */
  open(batch: EventBatch): FileEncoder;
  /**
   * Starts encoding `events` (of `batch`, which passed `check`) ahead of time, or answers
   * undefined when nothing is worth starting early. Never throws; a failure rejects `work`.
   */
  prepare?(batch: EventBatch, events: readonly FlumeEvent[]): PreparedEvents | undefined;
}

/**
 * One in-use file of the sink: its handle, encoder and lengths.
 *
 * Invariants:
 * - `durable <= written`; bytes up to `durable` are fsynced and recorded in the sink state, bytes
 *   past it belong to a batch that was not (yet) acknowledged.
 * - `uncommitted` is set before the first append of a batch and cleared when the batch is
 *   acknowledged; while set, the file may hold partial or unacknowledged bytes, and the next
 *   operation on it first cuts it back to `durable` (`rewind`).
 * - `count`/`durableCount` mirror `written`/`durable` in events (for rollCount).
 */
import type { FileEncoder } from '../formats/format.js';
import type { OutputFile } from './backend.js';
import type { SinkFileEntry } from './sink-files.js';

export class OpenFile {
  written = 0;
  durable = 0;
  count = 0;
  durableCount = 0;
  uncommitted = false;
  lastWriteAt: number;
  intervalTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    readonly names: Omit<SinkFileEntry, 'durable'>,
    readonly handle: OutputFile,
    readonly encoder: FileEncoder,
    readonly openedAt: number,
  ) {
    this.lastWriteAt = openedAt;
  }

  /** The state entry for this file; `committing` uses the length about to be acknowledged. */
  entry(committing = false): SinkFileEntry {
    return { ...this.names, durable: committing ? this.written : this.durable };
  }

  /** Marks everything written so far as acknowledged. */
  commit(now: number): void {
    this.durable = this.written;
    this.durableCount = this.count;
    this.uncommitted = false;
    this.lastWriteAt = now;
  }

  /** Cuts off bytes of a batch that was not acknowledged (a failed write). */
  async rewind(): Promise<void> {
    if (!this.uncommitted) return;
    await this.handle.truncate(this.durable);
    this.written = this.durable;
    this.count = this.durableCount;
    this.uncommitted = false;
  }

  clearTimers(): void {
    clearTimeout(this.intervalTimer);
    clearTimeout(this.idleTimer);
    this.intervalTimer = undefined;
    this.idleTimer = undefined;
  }
}

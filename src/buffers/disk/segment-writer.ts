/**
 * Appends frames to the newest segment, rolling to a new one past `segmentBytes`, with group
 * commit: appends that arrive while a write (and fsync) is in progress go out together in the
 * next write, so one fsync covers many batches.
 *
 * Invariants:
 * - `append` resolves with each frame's end position only once the frames are written, and
 *   with `fsync: batch` also fsynced (a new segment's directory entry is fsynced when created):
 *   the caller may then acknowledge the source. With `fsync: interval` it resolves once written
 *   (in the page cache: safe from a process crash) and a timer fsyncs every `fsyncIntervalMs`
 *   (a machine crash may lose up to that interval of acknowledged events).
 * - Frames are written at the segment's current end with positional writes; a failed write is
 *   retried at the same offset, so garbage from a partial write is overwritten, never skipped
 *   to (and recovery cuts any that a crash leaves behind).
 * - Writes and fsyncs run one at a time on one file handle; a roll fsyncs and closes the old
 *   segment before the first frame goes to the new one.
 *
 * Failure modes: a write, fsync or segment creation that fails (ENOSPC, EDQUOT, EIO, ...) is
 * logged once per episode with a clear message, reported through `onError` (for the metric) and
 * retried with backoff (100 ms doubling to 5 s) until it succeeds: the appends stay pending, so
 * the source is not acknowledged and waits, and recovery is automatic once space returns.
 * `close` rejects what is still pending with RXF_SHUTDOWN (those events are read again after a
 * restart).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '../../core/checkpoint-store.js';
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type LogPosition, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, segmentFileName } from './segment-format.js';

export interface SegmentWriterOptions {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly fsync: 'batch' | 'interval';
  readonly fsyncIntervalMs: number;
  /** Seq of the first segment this writer creates (one past the newest recovered one). */
  readonly firstSeq: number;
  readonly logger: Logger;
  /** A write, fsync or create failed with this errno code (it is being retried). */
  readonly onError?: (code: string) => void;
  /** A segment is complete (no more frames will go to it) at `size` bytes. */
  readonly onSealed?: (seq: number, size: number) => void;
  /** A segment file was created with its header (`size` bytes). */
  readonly onCreated?: (seq: number, size: number) => void;
  /** Backoff bounds for retried writes, ms. */
  readonly retryMs?: { readonly initial: number; readonly max: number };
}

interface PendingAppend {
  /** Whole frames (header + payload, see segment-format.ts). */
  readonly frames: readonly Buffer[];
  resolve(ends: LogPosition[]): void;
  reject(err: unknown): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class SegmentWriter {
  private fh: FileHandle | undefined;
  private seq: number;
  private size = 0;
  private pending: PendingAppend[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private dirty = false;
  private syncDue = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private failing: string | undefined;

  constructor(private readonly opts: SegmentWriterOptions) {
    this.seq = opts.firstSeq;
    if (opts.fsync === 'interval') {
      this.timer = setInterval(() => {
        if (!this.dirty) return;
        this.syncDue = true;
        this.kick();
      }, opts.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** The end of what has been written (the next frame's start). */
  get end(): LogPosition {
    return { segment: this.seq, offset: this.fh ? this.size : SEGMENT_HEADER_BYTES };
  }

  /** The seq of the segment being appended to (or about to be created). */
  get currentSegment(): number {
    return this.seq;
  }

  /** Appends whole frames (see the module header for when it resolves). */
  append(frames: readonly Buffer[]): Promise<LogPosition[]> {
    if (this.closed) return Promise.reject(new RxfError(ErrorCodes.SHUTDOWN, 'disk buffer closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ frames, resolve, reject });
      this.kick();
    });
  }

  /**
   * Seals the current segment now if it holds any frame (so it can be deleted once read), and
   * starts a new one with the next append. Queued behind pending appends.
   */
  rollSoon(): void {
    this.rollRequested = true;
    this.kick();
  }
  private rollRequested = false;

  /** Waits for pending appends, fsyncs, and closes the segment (truncated to its valid end). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
    this.closed = true;
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return;
    try {
      await fh.truncate(this.size);
      if (this.dirty) await fh.datasync();
    } catch (err) {
      this.opts.logger.error(
        { err, dir: this.opts.dir },
        'disk buffer: final fsync failed; the last appends may need re-reading after a crash',
      );
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /** Stops at once: pending appends are rejected (their events stay unacknowledged). */
  abort(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const p of this.pending.splice(0)) p.reject(new RxfError(ErrorCodes.SHUTDOWN, 'disk buffer closed'));
    const fh = this.fh;
    this.fh = undefined;
    const done = this.running ?? Promise.resolve();
    void done.finally(() => fh?.close().catch(() => undefined));
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      if ((this.pending.length > 0 || this.syncDue || this.rollRequested) && !this.closed) this.kick();
    });
  }

  private async run(): Promise<void> {
    while (!this.closed && (this.pending.length > 0 || this.syncDue || this.rollRequested)) {
      if (this.rollRequested && this.pending.length === 0) {
        this.rollRequested = false;
        if (this.fh && this.size > SEGMENT_HEADER_BYTES) await this.roll();
        continue;
      }
      if (this.pending.length === 0) {
        this.syncDue = false;
        if (this.fh && this.dirty) await this.retrying('fsync', () => this.sync());
        continue;
      }
      const batch = this.pending.splice(0);
      try {
        const ends = await this.writeAll(batch);
        for (let i = 0; i < batch.length; i++) (batch[i] as PendingAppend).resolve(ends[i] as LogPosition[]);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  private async writeAll(batch: readonly PendingAppend[]): Promise<LogPosition[][]> {
    const ends: LogPosition[][] = [];
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const frames = chunk;
      const at = this.size;
      await this.retrying('write', () => this.writeAt(frames, at));
      this.size = at + chunkBytes;
      this.dirty = true;
      chunk = [];
      chunkBytes = 0;
    };
    for (const p of batch) {
      const frameEnds: LogPosition[] = [];
      for (const bytes of p.frames) {
        const frame = bytes.length;
        if (!this.fh) await this.retrying('segment create', () => this.create());
        const used = this.size + chunkBytes;
        if (used > SEGMENT_HEADER_BYTES && used + frame > this.opts.segmentBytes) {
          await flush();
          await this.roll();
          await this.retrying('segment create', () => this.create());
        }
        chunk.push(bytes);
        chunkBytes += frame;
        frameEnds.push({ segment: this.seq, offset: this.size + chunkBytes });
      }
      ends.push(frameEnds);
    }
    await flush();
    if (this.opts.fsync === 'batch' && this.dirty) await this.retrying('fsync', () => this.sync());
    return ends;
  }

  private async create(): Promise<void> {
    const path = join(this.opts.dir, segmentFileName(this.seq));
    const fh = await open(path, 'w');
    try {
      await writeFully(fh, SEGMENT_MAGIC, 0);
      await fh.datasync();
      await syncDir(this.opts.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.fh = fh;
    this.size = SEGMENT_HEADER_BYTES;
    this.dirty = false;
    this.opts.onCreated?.(this.seq, this.size);
  }

  private async roll(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    if (this.dirty) await this.retrying('fsync', () => this.sync());
    await fh.close().catch(() => undefined);
    this.fh = undefined;
    this.opts.onSealed?.(this.seq, this.size);
    this.seq++;
  }

  private async sync(): Promise<void> {
    await this.fh?.datasync();
    this.dirty = false;
  }

  private async writeAt(frames: readonly Buffer[], at: number): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new RxfError(ErrorCodes.SHUTDOWN, 'disk buffer closed');
    // One writev for the group; a short write (rare) finishes with plain writes of the rest.
    let total = 0;
    for (const f of frames) total += f.length;
    const { bytesWritten } = frames.length === 1 ? { bytesWritten: 0 } : await fh.writev(frames as Buffer[], at);
    if (bytesWritten === total) return;
    await writeFully(fh, frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames).subarray(bytesWritten), at + bytesWritten);
  }

  /** Runs `op` until it succeeds (see the module header); throws only once closed. */
  private async retrying(what: string, op: () => Promise<void>): Promise<void> {
    const { initial, max } = this.opts.retryMs ?? { initial: 100, max: 5000 };
    let delay = initial;
    for (;;) {
      if (this.closed) throw new RxfError(ErrorCodes.SHUTDOWN, 'disk buffer closed');
      try {
        await op();
        if (this.failing) {
          this.opts.logger.info({ dir: this.opts.dir }, `disk buffer: ${what} works again; appends continue`);
          this.failing = undefined;
        }
        return;
      } catch (err) {
        if (this.closed) throw new RxfError(ErrorCodes.SHUTDOWN, 'disk buffer closed', { cause: err });
        const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
        this.opts.onError?.(code);
        if (this.failing !== code) {
          this.failing = code;
          const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'no space left on the device' : (err as Error).message;
          this.opts.logger.error(
            { err, code, dir: this.opts.dir },
            `disk buffer: ${what} failed (${code}: ${why}); the source is held (not acknowledged) and the ${what} is retried until it succeeds`,
          );
        }
        await sleep(delay);
        delay = Math.min(max, delay * 2);
      }
    }
  }
}

async function writeFully(fh: FileHandle, bytes: Buffer, at: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, at + done);
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

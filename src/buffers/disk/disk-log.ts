/**
 * The write-ahead log of one source: segments on disk, the space bound, the per-sink positions,
 * and deletion of segments every sink has passed. The RxJS stage (stage.ts) drives it.
 *
 * Invariants:
 * - `append` resolves `appended` only when the frame is written (and fsynced with
 *   `fsync: batch`): only then may the source's events be acknowledged.
 * - Space: frame bytes on disk never exceed `maxBytes`, except that a frame is always admitted
 *   when every sink has read everything (otherwise one oversized batch could never pass). A full
 *   log makes `append` wait in FIFO order (`block`) or answer `dropped` (`drop_newest`); either
 *   way the unsealed segment is sealed once every sink has read it, so its space comes back
 *   (without that, a log whose bytes all sit in that segment would stay full for good).
 * - A segment is deleted only when it is sealed and every sink's position is past its end; the
 *   reader is never behind the lowest sink position, so it never reads a deleted segment.
 * - `read` yields frames in log order from the lowest sink position; it ends when `end()` was
 *   called, every append settled, and everything appended was read.
 *
 * - Memory: at most `heldEventsLimit` events of appended frames are held for the reader (the
 *   oldest are let go first); `waitForHeldRoom` paces the intake to the reader unless the
 *   reader made no progress for `readerStallMs`.
 *
 * Failure modes: write errors are retried inside SegmentWriter (appends wait); a frame that
 * fails its checksum on read (disk corruption after recovery) ends that segment's reading, is
 * counted torn and logged, and reading goes on with the next segment; a failed unlink is logged
 * and retried at the next deletion check.
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointStore } from '../../core/checkpoint-store.js';
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type AdmitResult, FlowGate } from '../memory.js';
import { HeldFrames } from './held-frames.js';
import { type PositionsState, SinkPositions } from './positions.js';
import { recoverSegments } from './recovery.js';
import { comparePositions, type LogPosition, SEGMENT_HEADER_BYTES, scanFrame, segmentFileName } from './segment-format.js';
import { SegmentWriter } from './segment-writer.js';

export interface DiskLogOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly fsync: 'batch' | 'interval';
  readonly fsyncIntervalMs: number;
  readonly whenFull: 'block' | 'drop_newest';
  readonly sinkIds: readonly string[];
  readonly logger: Logger;
  readonly onTorn?: (n: number) => void;
  readonly onWriteError?: (code: string) => void;
  readonly retryMs?: { readonly initial: number; readonly max: number };
  /**
   * Events of appended batches kept in memory for the reader (0: always read from disk). Counted
   * in events: an event in memory costs far more than its body bytes.
   */
  readonly heldEventsLimit?: number;
  /** See held-frames.ts. Default DEFAULT_READER_STALL_MS. */
  readonly readerStallMs?: number;
}

interface SegmentState {
  /** Frames and frame bytes in it, for the space bound. */
  frames: number;
  frameBytes: number;
  /** Bytes whose appends have resolved (what the reader may read). */
  size: number;
  /** Final size once the writer moved on (undefined while it is being appended to). */
  sealedSize: number | undefined;
}

export interface ReadFrame {
  /** The frame's payload (empty when `held` is set: it was not read from disk). */
  readonly payload: Buffer;
  readonly end: LogPosition;
  /** What the appender passed along with the frame, when the reader took it from memory. */
  readonly held?: unknown;
}

const EMPTY = Buffer.alloc(0);

const READ_CHUNK = 1024 * 1024;

/** Folders of the logs open in this process: two logs on one folder would corrupt each other. */
const OPEN_DIRS = new Set<string>();

export class DiskLog {
  readonly positions: SinkPositions;
  private writer: SegmentWriter | undefined;
  private readonly segments = new Map<number, SegmentState>();
  private readonly space: FlowGate;
  /** Appends in progress (waiting for space or for the writer). */
  private outstanding = 0;
  private spaceWaiters = 0;
  /**
   * A `drop_newest` append found the log full since the last roll: the bytes may all sit in the
   * unsealed segment, which nothing else would seal, so acknowledgements roll it (see append).
   */
  private droppedSinceRoll = false;
  private ended = false;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  /** Events appended and not yet settled by every sink (the stage keeps it). */
  unackedEvents = 0;
  /** Frames the reader can take from memory (held-frames.ts). */
  private readonly held: HeldFrames;
  private holdsDir = false;

  constructor(private readonly opts: DiskLogOptions) {
    const store = new CheckpointStore<PositionsState>(opts.dir, 'positions');
    this.positions = new SinkPositions(store, opts.sinkIds, opts.logger);
    this.space = new FlowGate({ maxEvents: Number.MAX_SAFE_INTEGER, maxBytes: opts.maxBytes, whenFull: opts.whenFull });
    this.held = new HeldFrames(opts.heldEventsLimit, opts.readerStallMs);
  }

  /** Appends are waiting for space (`block`): the log is full until the sinks free some. */
  get holdingForSpace(): boolean {
    return this.spaceWaiters > 0;
  }

  /** Bytes of frames on disk (not yet deleted). */
  get bytesOnDisk(): number {
    return this.space.inFlightBytes;
  }

  /** Recovers the folder (recovery.ts), loads the sink positions, deletes what every sink has. */
  async open(): Promise<void> {
    if (OPEN_DIRS.has(this.opts.dir)) {
      throw new RxfError(
        ErrorCodes.CONFIG_INVALID,
        `disk buffer folder ${this.opts.dir} is already in use in this process (two sources with the same buffer.dir?)`,
      );
    }
    OPEN_DIRS.add(this.opts.dir);
    this.holdsDir = true;
    await mkdir(this.opts.dir, { recursive: true });
    const rec = await recoverSegments(this.opts.dir);
    for (const note of rec.notes) this.opts.logger.warn({ dir: this.opts.dir }, `disk buffer recovery: ${note}`);
    if (rec.torn > 0) this.opts.onTorn?.(rec.torn);
    const first = rec.segments[0];
    const oldest: LogPosition = { segment: first?.seq ?? 1, offset: SEGMENT_HEADER_BYTES };
    await this.positions.load(oldest);
    const low = this.positions.min();
    let frames = 0;
    let bytes = 0;
    for (const s of rec.segments) {
      this.segments.set(s.seq, { frames: s.frames.length, frameBytes: s.size - SEGMENT_HEADER_BYTES, size: s.size, sealedSize: s.size });
      frames += s.frames.length;
      bytes += s.size - SEGMENT_HEADER_BYTES;
      for (const f of s.frames) if (comparePositions({ segment: s.seq, offset: f.end }, low) > 0) this.unackedEvents += f.events;
    }
    // Nothing is in the gate yet, so this is admitted whatever maxBytes says (it was on disk already).
    this.space.admit(frames, bytes);
    const last = rec.segments[rec.segments.length - 1];
    this.writer = new SegmentWriter({
      dir: this.opts.dir,
      segmentBytes: this.opts.segmentBytes,
      fsync: this.opts.fsync,
      fsyncIntervalMs: this.opts.fsyncIntervalMs,
      // Past every segment and every stored position: a position must never be ahead of new frames
      // (all segments may have been deleted, with the positions pointing past the last one).
      firstSeq: Math.max(last ? last.seq + 1 : oldest.segment, this.positions.max().segment + 1),
      logger: this.opts.logger,
      onError: this.opts.onWriteError,
      retryMs: this.opts.retryMs,
      onCreated: (seq, size) => this.segments.set(seq, { frames: 0, frameBytes: 0, size, sealedSize: undefined }),
      onSealed: (seq, size) => {
        const s = this.segments.get(seq);
        if (s) s.sealedSize = size;
        this.droppedSinceRoll = false;
        this.deleteConsumed();
        this.wake();
      },
    });
    this.deleteConsumed();
  }

  /**
   * Appends one batch payload, waiting for space when full (`block`). Answers `appended` once
   * durable (see the module header), `dropped` (drop_newest, full) or `closed`.
   */
  async append(frame: Buffer, events: number, held?: unknown): Promise<'appended' | 'dropped' | 'closed'> {
    const writer = this.writer;
    if (!writer || this.closed) return 'closed';
    this.outstanding++;
    if (held !== undefined) this.held.reserve(events);
    try {
      const frameBytes = frame.length;
      const answer = this.space.admit(1, frameBytes);
      let admitted: AdmitResult;
      if (typeof answer === 'string') {
        admitted = answer;
        if (admitted === 'dropped') {
          // Full, maybe only with consumed frames in the unsealed segment: seal it so it can go.
          this.droppedSinceRoll = true;
          this.rollIfConsumed();
        }
      } else {
        this.spaceWaiters++;
        // Full while every sink has read everything: the bytes sit in the unsealed segment.
        this.rollIfConsumed();
        try {
          admitted = await answer;
        } finally {
          this.spaceWaiters--;
        }
      }
      if (admitted !== 'admitted') return admitted;
      let ends: LogPosition[];
      try {
        ends = await writer.append([frame]);
      } catch (err) {
        this.space.release(1, frameBytes);
        if (this.closed) return 'closed';
        throw err;
      }
      const end = ends[0] as LogPosition;
      const seg = this.segments.get(end.segment);
      if (seg) {
        seg.frames++;
        seg.frameBytes += frameBytes;
        if (end.offset > seg.size) seg.size = end.offset;
      }
      this.unackedEvents += events;
      if (held !== undefined) this.held.hold({ start: { segment: end.segment, offset: end.offset - frameBytes }, end, events, held });
      return 'appended';
    } finally {
      this.outstanding--;
      if (held !== undefined) this.held.unreserve(events);
      this.wake();
    }
  }

  /** No more appends will come: `read` ends once it has read everything. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.wakeReader;
    this.wakeReader = undefined;
    w?.();
  }

  /** A sink acknowledged (or dead-lettered) everything up to `end`. */
  sinkAcknowledged(sinkId: string, end: LogPosition): void {
    this.positions.advance(sinkId, end);
    this.deleteConsumed();
    if (this.spaceWaiters > 0 || this.droppedSinceRoll) this.rollIfConsumed();
  }

  /** Paces the intake to the reader while it keeps up (see held-frames.ts); awaited in intake order. */
  waitForHeldRoom(events: number): Promise<void> | undefined {
    return this.closed ? undefined : this.held.waitForRoom(events);
  }

  /** Frames in log order from the lowest sink position (see the module header). */
  async *read(): AsyncGenerator<ReadFrame> {
    let pos = this.positions.min();
    let fh: FileHandle | undefined;
    let fhSeq = -1;
    try {
      while (!this.closed) {
        const seg = this.segments.get(pos.segment);
        const limit = seg?.size ?? SEGMENT_HEADER_BYTES;
        if (pos.offset >= limit) {
          const next = this.nextSegment(pos.segment);
          const finished = seg === undefined || (seg.sealedSize !== undefined && pos.offset >= seg.sealedSize);
          if (finished && next !== undefined) {
            pos = { segment: next, offset: SEGMENT_HEADER_BYTES };
            continue;
          }
          if (this.ended && this.outstanding === 0 && next === undefined) return;
          await new Promise<void>((resolve) => {
            this.wakeReader = resolve;
          });
          continue;
        }
        const inMemory = this.held.take(pos);
        if (inMemory) {
          pos = inMemory.end;
          this.held.readerProgressed();
          yield { payload: EMPTY, end: pos, held: inMemory.held };
          continue;
        }
        if (!fh || fhSeq !== pos.segment) {
          await fh?.close();
          fh = undefined;
          fh = await open(join(this.opts.dir, segmentFileName(pos.segment)), 'r');
          fhSeq = pos.segment;
        }
        const got = await readFrames(fh as FileHandle, pos.offset, limit);
        for (const f of got.frames) {
          pos = { segment: pos.segment, offset: f.end };
          this.held.readerProgressed();
          yield { payload: f.payload, end: pos };
        }
        if (got.torn && seg) {
          this.opts.onTorn?.(1);
          this.opts.logger.error(
            { dir: this.opts.dir, segment: pos.segment, offset: got.at },
            `disk buffer: ${got.torn} on read; the rest of this segment is skipped`,
          );
          // Skip to the segment's end (its frames after the damage cannot be framed again).
          seg.sealedSize ??= seg.size;
          pos = { segment: pos.segment, offset: Math.max(seg.size, seg.sealedSize) };
        }
      }
    } finally {
      await fh?.close();
    }
  }

  private nextSegment(seq: number): number | undefined {
    let best: number | undefined;
    for (const s of this.segments.keys()) if (s > seq && (best === undefined || s < best)) best = s;
    return best;
  }

  /** Seals the current segment when every sink has read all of it, so it can be deleted. */
  private rollIfConsumed(): void {
    const writer = this.writer;
    if (this.closed || !writer) return;
    const seq = writer.currentSegment;
    const cur = this.segments.get(seq);
    if (!cur || cur.sealedSize !== undefined || cur.frames === 0) return;
    if (comparePositions(this.positions.min(), { segment: seq, offset: cur.size }) >= 0) writer.rollSoon();
  }

  private deleteConsumed(): void {
    const low = this.positions.min();
    for (const [seq, seg] of this.segments) {
      if (seg.sealedSize === undefined) continue;
      if (seq > low.segment || (seq === low.segment && low.offset < seg.sealedSize)) continue;
      this.segments.delete(seq);
      this.space.release(seg.frames, seg.frameBytes);
      unlink(join(this.opts.dir, segmentFileName(seq))).catch((err) => {
        this.opts.logger.warn({ err, segment: seq }, 'disk buffer: could not delete a consumed segment');
      });
    }
  }

  /** Finishes the appends in progress, fsyncs, saves the positions. */
  async close(): Promise<void> {
    this.closed = true;
    this.held.releaseAll();
    this.wake();
    try {
      await this.writer?.close();
      this.space.close();
      await this.positions.flush();
    } finally {
      this.releaseDir();
    }
  }

  private releaseDir(): void {
    if (this.holdsDir) OPEN_DIRS.delete(this.opts.dir);
    this.holdsDir = false;
  }

  /** Stops at once: pending appends are abandoned (their events stay unacknowledged). */
  abort(): void {
    this.closed = true;
    this.space.close();
    this.writer?.abort();
    this.positions.stop();
    void this.positions.flush();
    this.releaseDir();
    this.held.releaseAll();
    this.wake();
  }
}

async function readFrames(
  fh: FileHandle,
  from: number,
  limit: number,
): Promise<{ frames: { payload: Buffer; end: number }[]; torn?: string; at?: number }> {
  let want = Math.min(READ_CHUNK, limit - from);
  let buf = Buffer.allocUnsafe(want);
  let { bytesRead } = await fh.read(buf, 0, want, from);
  const frames: { payload: Buffer; end: number }[] = [];
  let at = 0;
  for (;;) {
    const scan = scanFrame(buf, at, bytesRead);
    if (scan.kind === 'frame') {
      // A copy per frame: the events decoded from it keep views into it.
      frames.push({ payload: Buffer.from(scan.payload), end: from + scan.next });
      at = scan.next;
      continue;
    }
    if (scan.kind === 'torn') return { frames, torn: scan.reason, at: from + at };
    if (from + at >= limit) return { frames };
    if (frames.length > 0) return { frames };
    // One frame larger than the chunk: read exactly it.
    if (from + scan.need > limit) return { frames, torn: 'frame runs past the written end', at: from };
    want = scan.need;
    buf = Buffer.allocUnsafe(want);
    ({ bytesRead } = await fh.read(buf, 0, want, from));
    at = 0;
  }
}

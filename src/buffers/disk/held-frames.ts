/**
 * Frames appended in this run whose original events are still in memory, so the reader can
 * hand them to the sinks without reading them back and decoding them, and the pacing that keeps
 * the intake from running ahead of a reader that keeps up.
 *
 * Invariants:
 * - At most `limit` events are held (reserved ones included): `hold` lets the oldest go first;
 *   a frame let go is read from disk later, so nothing is lost, only decoded.
 * - `take(pos)` answers only the frame that starts exactly at `pos` and drops the ones before.
 * - `waitForRoom` resolves at once when there is room (or the limit is 0, or the reader is
 *   stalled); otherwise when the reader took some, when `releaseAll` is called (close), or once
 *   the reader made no progress for `stallMs`: then the reader counts as stalled (a sink down or
 *   slow) and appends stop waiting until it moves again, so the log absorbs.
 */
import { comparePositions, type LogPosition } from './segment-format.js';

/** Enough for a reader that keeps up with the writer never to read back what was just written. */
export const DEFAULT_HELD_EVENTS = 50_000;

/** No reader progress for this long means a sink is down or slow: the log absorbs from then on. */
export const DEFAULT_READER_STALL_MS = 1000;

export interface HeldFrame {
  readonly start: LogPosition;
  readonly end: LogPosition;
  readonly events: number;
  readonly held: unknown;
}

export class HeldFrames {
  private readonly frames: HeldFrame[] = [];
  private heldEvents = 0;
  /** Events of appends in progress that will be held once written. */
  private reserved = 0;
  private readonly waiters: Array<() => void> = [];
  private stallTimer: NodeJS.Timeout | undefined;
  private lastReadAt = 0;
  private stalled = false;

  constructor(
    private readonly limit = DEFAULT_HELD_EVENTS,
    private readonly stallMs = DEFAULT_READER_STALL_MS,
  ) {}

  reserve(events: number): void {
    this.reserved += events;
  }

  unreserve(events: number): void {
    this.reserved -= events;
  }

  hold(frame: HeldFrame): void {
    if (this.limit <= 0) return;
    this.frames.push(frame);
    this.heldEvents += frame.events;
    while (this.heldEvents > this.limit && this.frames.length > 0) this.heldEvents -= (this.frames.shift() as HeldFrame).events;
  }

  /** The held frame starting at `pos`, dropping held frames the reader is already past. */
  take(pos: LogPosition): HeldFrame | undefined {
    while (this.frames.length > 0) {
      const head = this.frames[0] as HeldFrame;
      const order = comparePositions(head.start, pos);
      if (order > 0) return undefined;
      this.frames.shift();
      this.heldEvents -= head.events;
      if (order === 0) return head;
    }
    return undefined;
  }

  /** See the module header. */
  waitForRoom(events: number): Promise<void> | undefined {
    const held = this.heldEvents + this.reserved;
    if (this.limit <= 0 || this.stalled || held === 0 || held + events <= this.limit) return undefined;
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.armStallTimer();
    });
  }

  /** The reader yielded a frame. */
  readerProgressed(): void {
    this.lastReadAt = performance.now();
    this.stalled = false;
    if (this.waiters.length > 0 && this.heldEvents + this.reserved < this.limit) this.releaseAll();
  }

  /** Lets every waiter go (room, a stalled reader, or a close). */
  releaseAll(): void {
    for (const w of this.waiters.splice(0)) w();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private armStallTimer(): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.waiters.length === 0) return;
      if (performance.now() - this.lastReadAt >= this.stallMs) {
        this.stalled = true;
        this.releaseAll();
      } else this.armStallTimer();
    }, this.stallMs);
    this.stallTimer.unref();
  }
}

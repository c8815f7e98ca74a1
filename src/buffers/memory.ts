/**
 * The bounded in-memory buffer, as a credit gate between a source and everything downstream.
 *
 * Events live in the RxJS pipeline and the sinks' queues; this gate bounds how many of them
 * (and how many body bytes) are read but not yet settled. A source asks `admit` before it
 * emits a batch and every settled event gives its credit back through `release`.
 *
 * Invariants:
 * - inFlightEvents <= maxEvents and inFlightBytes <= maxBytes, except that a single batch larger
 *   than the whole bound is admitted when nothing else is in flight (otherwise it never could be).
 * - `block` (default) makes `admit` wait, FIFO; `drop_newest` answers `dropped` at once when full.
 * - After `close`, waiting and future `admit` calls answer `closed`: the caller must not emit.
 */

export type WhenFull = 'block' | 'drop_newest';
export type AdmitResult = 'admitted' | 'dropped' | 'closed';

export interface FlowGateOptions {
  maxEvents: number;
  maxBytes: number;
  whenFull?: WhenFull;
}

interface Waiter {
  events: number;
  bytes: number;
  resolve(result: AdmitResult): void;
}

export class FlowGate {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly whenFull: WhenFull;
  private events = 0;
  private bytes = 0;
  private closed = false;
  private readonly waiters: Waiter[] = [];
  /** Highest number of events ever in flight at once (for tests and metrics). */
  peakEvents = 0;

  constructor(opts: FlowGateOptions) {
    if (!(opts.maxEvents > 0) || !(opts.maxBytes > 0)) throw new RangeError('FlowGate bounds must be positive');
    this.maxEvents = opts.maxEvents;
    this.maxBytes = opts.maxBytes;
    this.whenFull = opts.whenFull ?? 'block';
  }

  get inFlightEvents(): number {
    return this.events;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  /** Fraction of the tighter bound in use, 0..1 (may exceed 1 for one oversized batch). */
  get fillRatio(): number {
    return Math.max(this.events / this.maxEvents, this.bytes / this.maxBytes);
  }

  admit(events: number, bytes: number): Promise<AdmitResult> | AdmitResult {
    if (this.closed) return 'closed';
    if (this.waiters.length === 0 && this.fits(events, bytes)) {
      this.take(events, bytes);
      return 'admitted';
    }
    if (this.whenFull === 'drop_newest') return 'dropped';
    return new Promise((resolve) => this.waiters.push({ events, bytes, resolve }));
  }

  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    if (this.events < 0 || this.bytes < 0) {
      // A double release would silently widen the bound; fail loudly instead.
      throw new Error(`FlowGate released more than admitted (events=${this.events}, bytes=${this.bytes})`);
    }
    this.wake();
  }

  /** Answers `closed` to every waiter and to later calls; credit already taken stays counted. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve('closed');
  }

  private fits(events: number, bytes: number): boolean {
    if (this.events === 0) return true;
    return this.events + events <= this.maxEvents && this.bytes + bytes <= this.maxBytes;
  }

  private take(events: number, bytes: number): void {
    this.events += events;
    this.bytes += bytes;
    if (this.events > this.peakEvents) this.peakEvents = this.events;
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0] as Waiter;
      if (!this.fits(w.events, w.bytes)) return;
      this.waiters.shift();
      this.take(w.events, w.bytes);
      w.resolve('admitted');
    }
  }
}

/**
 * Per-file progress: which lines have been read, which are settled, and how far a checkpoint may go.
 *
 * Invariants:
 * - Lines are registered in read order with increasing offsets; `register` returns the line's ack.
 * - The committed offset is the `end` of the longest prefix of registered lines that all settled
 *   as `delivered` or `rejected`. A `failed` line stops the prefix for the life of this object:
 *   it will be read again after a restart (at-least-once), never skipped.
 * - `onAdvance` is called with strictly increasing offsets; `onComplete` fires once, when the file
 *   has been sealed (no more lines will be registered) and every registered line settled without
 *   failure. Each settled line releases its share of the flow gate exactly once.
 */
import { OnceAck } from './ack.js';
import type { Ack, AckOutcome } from './event.js';

export interface ProgressHooks {
  /** The committed offset moved forward (write a checkpoint). */
  onAdvance?(offset: number): void;
  /** Sealed and everything settled (spool file done). */
  onComplete?(): void;
  /** Called once per settled line that holds flow-gate credit, with its byte size (give it back). */
  onSettle?(bytes: number, outcome: AckOutcome): void;
}

export class FileProgress {
  // The lines registered and not yet passed by the committed offset, as a ring over typed arrays
  // (no allocation per line; grown by doubling): line `seq` sits at slot
  // (first + seq - seqBase) % capacity; `seqBase` is the sequence number of the first of them.
  private ends = new Float64Array(1024);
  private states = new Uint8Array(1024); // 0 pending, 1 settled ok, 2 failed
  private first = 0;
  private count = 0;
  private seqBase = 0;
  private committed: number;
  private sealed = false;
  private completed = false;
  private blocked = false;

  constructor(
    startOffset: number,
    private readonly hooks: ProgressHooks = {},
  ) {
    this.committed = startOffset;
  }

  /** The offset a checkpoint may record. */
  get committedOffset(): number {
    return this.committed;
  }

  /** Lines registered but not yet settled ok (includes failed ones). */
  get pending(): number {
    return this.count;
  }

  get isComplete(): boolean {
    return this.completed;
  }

  get hasFailed(): boolean {
    return this.blocked;
  }

  get isSealed(): boolean {
    return this.sealed;
  }

  /** Registers the next line; `holdsCredit: false` for lines that never took flow-gate credit. */
  register(end: number, bytes: number, holdsCredit = true): Ack {
    const seq = this.registerLine(end);
    return new OnceAck((outcome) => this.settleLine(seq, holdsCredit ? bytes : -1, outcome));
  }

  /**
   * The allocation-free form of `register` for hot paths: answers the line's sequence number; the
   * caller must call `settleLine(seq, …)` exactly once (see `LineEvent`, which is its own ack).
   */
  registerLine(end: number): number {
    if (this.sealed) throw new Error('FileProgress.register after seal');
    if (this.count === this.ends.length) this.grow();
    const slot = (this.first + this.count) % this.ends.length;
    this.ends[slot] = end;
    this.states[slot] = 0;
    return this.seqBase + this.count++;
  }

  /** No more lines will be registered (end of a spool file, or a rotated-away tail file). */
  seal(): void {
    this.sealed = true;
    this.maybeComplete();
  }

  /** Settles a line from `registerLine`; `bytes` < 0 for a line that holds no flow-gate credit. */
  settleLine(seq: number, bytes: number, outcome: AckOutcome): void {
    const i = seq - this.seqBase;
    this.states[(this.first + i) % this.ends.length] = outcome === 'failed' ? 2 : 1;
    if (outcome === 'failed') this.blocked = true;
    if (bytes >= 0) this.hooks.onSettle?.(bytes, outcome);
    if (i === 0) this.advance();
  }

  private advance(): void {
    const capacity = this.ends.length;
    let passed = 0;
    let last = 0;
    while (passed < this.count) {
      const slot = (this.first + passed) % capacity;
      if (this.states[slot] !== 1) break;
      last = this.ends[slot] as number;
      passed++;
    }
    if (passed === 0) return;
    this.committed = last;
    this.first = (this.first + passed) % capacity;
    this.count -= passed;
    this.seqBase += passed;
    this.hooks.onAdvance?.(this.committed);
    this.maybeComplete();
  }

  /** Doubles the ring, lines kept in order from slot 0. */
  private grow(): void {
    const capacity = this.ends.length;
    const ends = new Float64Array(capacity * 2);
    const states = new Uint8Array(capacity * 2);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.first + i) % capacity;
      ends[i] = this.ends[slot] as number;
      states[i] = this.states[slot] as number;
    }
    this.ends = ends;
    this.states = states;
    this.first = 0;
  }

  private maybeComplete(): void {
    if (this.completed || !this.sealed || this.blocked) return;
    if (this.count > 0) return;
    this.completed = true;
    this.hooks.onComplete?.();
  }
}

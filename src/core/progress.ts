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
  // Parallel arrays over the lines not yet compacted away; `seqBase` is the sequence number of
  // index 0, so acks keep a stable sequence number while the arrays shrink.
  private ends: number[] = [];
  private states: number[] = []; // 0 pending, 1 settled ok, 2 failed
  private seqBase = 0;
  private head = 0; // index of the first line not settled ok
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
    return this.ends.length - this.head;
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
    const seq = this.seqBase + this.ends.length;
    this.ends.push(end);
    this.states.push(0);
    return seq;
  }

  /** No more lines will be registered (end of a spool file, or a rotated-away tail file). */
  seal(): void {
    this.sealed = true;
    this.maybeComplete();
  }

  /** Settles a line from `registerLine`; `bytes` < 0 for a line that holds no flow-gate credit. */
  settleLine(seq: number, bytes: number, outcome: AckOutcome): void {
    const i = seq - this.seqBase;
    this.states[i] = outcome === 'failed' ? 2 : 1;
    if (outcome === 'failed') this.blocked = true;
    if (bytes >= 0) this.hooks.onSettle?.(bytes, outcome);
    if (i === this.head) this.advance();
  }

  private advance(): void {
    const before = this.head;
    while (this.head < this.states.length && this.states[this.head] === 1) this.head++;
    if (this.head === before) return;
    this.committed = this.ends[this.head - 1] as number;
    if (this.head >= 8192 && this.head * 2 >= this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.states = this.states.slice(this.head);
      this.seqBase += this.head;
      this.head = 0;
    }
    this.hooks.onAdvance?.(this.committed);
    this.maybeComplete();
  }

  private maybeComplete(): void {
    if (this.completed || !this.sealed || this.blocked) return;
    if (this.head < this.ends.length) return;
    this.completed = true;
    this.hooks.onComplete?.();
  }
}

/**
 * Acknowledgement helpers.
 *
 * `SplitAck` lets one event go to several sinks: each sink gets a child ack, and the parent
 * settles only when every child has settled. The parent's outcome is the worst of the children
 * (failed > delivered > rejected), so a checkpoint never passes an event that one sink lost.
 */
import type { Ack, AckOutcome } from './event.js';

const RANK: Record<AckOutcome, number> = { rejected: 0, delivered: 1, failed: 2 };

export class OnceAck implements Ack {
  private done = false;
  constructor(private readonly onSettle: (outcome: AckOutcome) => void) {}
  get settled(): boolean {
    return this.done;
  }
  settle(outcome: AckOutcome): void {
    if (this.done) return;
    this.done = true;
    this.onSettle(outcome);
  }
}

/** Returns `n` child acks that settle `parent` once all of them have settled. */
export function splitAck(parent: Ack, n: number): Ack[] {
  if (n <= 1) return [parent];
  let pending = n;
  let worst: AckOutcome = 'rejected';
  const children: Ack[] = [];
  for (let i = 0; i < n; i++) {
    children.push(
      new OnceAck((outcome) => {
        if (RANK[outcome] > RANK[worst]) worst = outcome;
        if (--pending === 0) parent.settle(worst);
      }),
    );
  }
  return children;
}

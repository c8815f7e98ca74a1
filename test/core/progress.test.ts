import { describe, expect, it } from 'vitest';
import { FileProgress } from '../../src/core/progress.js';

describe('FileProgress', () => {
  it('commits only the contiguous settled prefix, in any settle order', () => {
    const advances: number[] = [];
    const p = new FileProgress(0, { onAdvance: (o) => advances.push(o) });
    const acks = [10, 20, 30, 40].map((end) => p.register(end, 5));
    acks[2]?.settle('delivered');
    acks[1]?.settle('rejected');
    expect(p.committedOffset).toBe(0);
    acks[0]?.settle('delivered');
    expect(p.committedOffset).toBe(30);
    acks[3]?.settle('delivered');
    expect(advances).toEqual([30, 40]);
  });

  it('settles once: a second outcome is ignored', () => {
    const settled: string[] = [];
    const p = new FileProgress(0, { onSettle: (_b, o) => settled.push(o) });
    const ack = p.register(5, 5);
    ack.settle('delivered');
    ack.settle('failed');
    expect(settled).toEqual(['delivered']);
    expect(p.committedOffset).toBe(5);
  });

  it('a failed line stops the checkpoint and prevents completion', () => {
    let completed = false;
    const p = new FileProgress(100, { onComplete: () => (completed = true) });
    const a = p.register(110, 1);
    const b = p.register(120, 1);
    a.settle('failed');
    b.settle('delivered');
    p.seal();
    expect(p.committedOffset).toBe(100);
    expect(p.hasFailed).toBe(true);
    expect(completed).toBe(false);
  });

  it('completes once sealed and everything settled, including an empty file', () => {
    let completions = 0;
    const empty = new FileProgress(0, { onComplete: () => completions++ });
    empty.seal();
    expect(completions).toBe(1);
    const p = new FileProgress(0, { onComplete: () => completions++ });
    const a = p.register(1, 1);
    p.seal();
    expect(completions).toBe(1);
    a.settle('delivered');
    expect(completions).toBe(2);
  });

  it('gives credit back only for lines that hold it', () => {
    let credit = 0;
    const p = new FileProgress(0, { onSettle: (bytes) => (credit += bytes) });
    p.register(10, 9).settle('delivered');
    p.register(20, 9, false).settle('rejected');
    expect(credit).toBe(9);
    expect(p.committedOffset).toBe(20);
  });

  it('keeps working across compaction of a long file', () => {
    const p = new FileProgress(0);
    const acks = [];
    for (let i = 1; i <= 50_000; i++) acks.push(p.register(i * 10, 1));
    for (let i = 0; i < 30_000; i++) acks[i]?.settle('delivered');
    expect(p.committedOffset).toBe(300_000);
    for (let i = 49_999; i >= 30_000; i--) acks[i]?.settle('delivered');
    expect(p.committedOffset).toBe(500_000);
    expect(p.pending).toBe(0);
  });

  it('matches a plain model while lines are registered and settled in waves (the ring wraps and grows)', () => {
    const p = new FileProgress(7);
    const model: { end: number; state: 0 | 1 }[] = [];
    const acks: { settle(o: 'delivered'): void }[] = [];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let end = 7;
    for (let wave = 0; wave < 60; wave++) {
      const add = 1 + random(3000);
      for (let i = 0; i < add; i++) {
        end += 1 + random(50);
        acks.push(p.register(end, 1));
        model.push({ end, state: 0 });
      }
      // Settle a random subset of the pending lines, in random order.
      for (let k = random(4000); k > 0; k--) {
        const i = random(acks.length);
        acks[i]?.settle('delivered');
        (model[i] as { state: 0 | 1 }).state = 1;
      }
      let committed = 7;
      let pending = 0;
      let open = true;
      for (const line of model) {
        if (open && line.state === 1) committed = line.end;
        else {
          open = false;
          pending++;
        }
      }
      expect(p.committedOffset).toBe(committed);
      expect(p.pending).toBe(pending);
    }
  });
});

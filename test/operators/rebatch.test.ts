import { Subject, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { EventBatch, SchemaRef } from '../../src/core/event.js';
import { rebatch } from '../../src/operators/rebatch.js';
import { acksOf, makeBatch } from './support.js';

function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const schemaA: SchemaRef = { name: 'test.A', type: null, schema: {} };
const schemaB: SchemaRef = { name: 'test.B', type: null, schema: {} };

function lines(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function merged(...batches: EventBatch[]): EventBatch {
  return { ...batches[0]!, events: batches.flatMap((b) => b.events) };
}

describe('rebatch', () => {
  it('emits when the batch is full', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', lines('a', 2));
      const b = makeBatch('s', lines('b', 2));
      const c = makeBatch('s', lines('c', 1));
      const input = hot('a 9ms b 9ms c 9ms |', { a, b, c });
      expectObservable(input.pipe(rebatch({ maxEvents: 4, lingerMs: 1000 }))).toBe('10ms x 19ms (y|)', { x: merged(a, b), y: c });
    });
  });

  it('emits lingerMs after the first buffered event', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', ['a']);
      const b = makeBatch('s', ['b']);
      const c = makeBatch('s', ['c']);
      const input = hot('a 9ms b 89ms c 99ms |', { a, b, c });
      expectObservable(input.pipe(rebatch({ maxEvents: 10, lingerMs: 50 }))).toBe('50ms x 99ms y 49ms |', { x: merged(a, b), y: c });
    });
  });

  it('flushes a partial batch on complete', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = makeBatch('s', ['a']);
      const b = makeBatch('s', ['b']);
      expectObservable(cold('a b |', { a, b }).pipe(rebatch({ maxEvents: 10, lingerMs: 1000 }))).toBe('--(x|)', { x: merged(a, b) });
    });
  });

  it('passes a batch larger than maxEvents through whole, after flushing the buffer', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', ['a']);
      const big = makeBatch('s', lines('big', 5));
      const input = hot('a 9ms b 9ms |', { a, b: big });
      expectObservable(input.pipe(rebatch({ maxEvents: 3, lingerMs: 1000 }))).toBe('10ms (xy) 6ms |', { x: a, y: big });
    });
  });

  it('flushes instead of overflowing, so no batch is split', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', lines('a', 3));
      const b = makeBatch('s', lines('b', 2));
      const input = hot('a 9ms b 9ms |', { a, b });
      expectObservable(input.pipe(rebatch({ maxEvents: 4, lingerMs: 1000 }))).toBe('10ms x 9ms (y|)', { x: a, y: b });
    });
  });

  it('merges only batches of the same source and schema', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a1 = makeBatch('s1', ['a1'], schemaA);
      const a2 = makeBatch('s1', ['a2'], schemaA);
      const b = makeBatch('s1', ['b'], schemaB);
      const c = makeBatch('s2', ['c'], schemaB);
      const input = hot('a 9ms d 9ms b 9ms c 9ms |', { a: a1, d: a2, b, c });
      expectObservable(input.pipe(rebatch({ maxEvents: 10, lingerMs: 1000 }))).toBe('20ms x 9ms y 9ms (z|)', {
        x: merged(a1, a2),
        y: b,
        z: c,
      });
    });
  });

  it('honours maxBytes', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', ['aaaa']);
      const b = makeBatch('s', ['bbbb']);
      const c = makeBatch('s', ['cccc']);
      const input = hot('a 9ms b 9ms c 9ms |', { a, b, c });
      expectObservable(input.pipe(rebatch({ maxEvents: 100, maxBytes: 10, lingerMs: 1000 }))).toBe('20ms x 9ms (y|)', {
        x: merged(a, b),
        y: c,
      });
    });
  });

  it('with lingerMs 0 emits every batch at once', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = makeBatch('s', ['a']);
      const b = makeBatch('s', ['b']);
      expectObservable(hot('a b |', { a, b }).pipe(rebatch({ maxEvents: 10, lingerMs: 0 }))).toBe('a b |', { a, b });
    });
  });

  it('on unsubscribe clears the linger timer and settles buffered events failed', () => {
    const scheduler = newScheduler();
    const a = makeBatch('s', ['a', 'b']);
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('a 100ms |', { a }).pipe(rebatch({ maxEvents: 10, lingerMs: 50 })), '^ 20ms !').toBe('');
    });
    expect(acksOf([a]).map((x) => x.calls)).toEqual([['failed'], ['failed']]);
  });

  it('on input error settles buffered events failed and passes the error on', () => {
    const scheduler = newScheduler();
    const a = makeBatch('s', ['a']);
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('a 9ms #', { a }).pipe(rebatch({ maxEvents: 10, lingerMs: 50 }))).toBe('10ms #');
    });
    expect(acksOf([a])[0]!.calls).toEqual(['failed']);
  });

  it('leaves no timer behind after teardown', () => {
    const scheduler = new VirtualTimeScheduler();
    const input = new Subject<EventBatch>();
    const emitted: EventBatch[] = [];
    const sub = input.pipe(rebatch({ maxEvents: 10, lingerMs: 50, scheduler })).subscribe((b) => emitted.push(b));
    const a = makeBatch('s', ['a']);
    input.next(a);
    expect(scheduler.actions.length).toBe(1);
    sub.unsubscribe();
    expect(scheduler.actions.length).toBe(0);
    scheduler.flush();
    expect(emitted).toEqual([]);
    expect(input.observed).toBe(false);
    expect(acksOf([a])[0]!.calls).toEqual(['failed']);
  });
});

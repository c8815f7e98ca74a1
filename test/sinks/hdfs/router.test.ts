// BucketRouter: events grouped by rendered bucket, batch order kept within each bucket; a batch
// that is all one bucket is answered with its own events array (no copy).
import { describe, expect, it } from 'vitest';
import { BucketRouter } from '../../../src/sinks/hdfs/router.js';
import { makeEvent } from './support.js';

const T = Date.UTC(2016, 0, 1, 12);
const router = () => new BucketRouter({ path: '/out/%{k}/%Y%m%d', filePrefix: 'p', timeZone: 'UTC', useLocalTimeStamp: false }, () => T);
const event = (i: number, k: string, ts = T) => makeEvent(i, { headers: { k, timestamp: String(ts) } });

describe('BucketRouter', () => {
  it('keeps the batch order within each bucket, whatever the interleaving', () => {
    const events = [event(0, 'a'), event(1, 'b'), event(2, 'a'), event(3, 'c'), event(4, 'b'), event(5, 'a', T + 86_400_000)];
    const groups = router().route(events);
    expect(groups.map((g) => [g.dir, g.events.map((e) => e.id)])).toEqual([
      ['/out/a/20160101', ['src:test:0', 'src:test:2']],
      ['/out/b/20160101', ['src:test:1', 'src:test:4']],
      ['/out/c/20160101', ['src:test:3']],
      ['/out/a/20160102', ['src:test:5']],
    ]);
    expect(groups.every((g) => g.events !== events)).toBe(true);
  });

  it('answers a batch that is one bucket with its own events array', () => {
    const events = [event(0, 'a'), event(1, 'a'), event(2, 'a')];
    const [only, ...rest] = router().route(events);
    expect(rest).toEqual([]);
    expect(only?.events).toBe(events);
    // Diverging late: the first bucket gets a copy of the run before it.
    const late = [...events, event(3, 'b')];
    const groups = router().route(late);
    expect(groups.map((g) => g.events.length)).toEqual([3, 1]);
    expect(groups[0]?.events).not.toBe(late);
  });
});

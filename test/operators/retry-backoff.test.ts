import { concatMap, defer, type Observable, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, RxfError } from '../../src/core/errors.js';
import { backoffDelay, retryBackoff } from '../../src/operators/retry-backoff.js';

const transient = () => new RxfError(ErrorCodes.SINK_TRANSIENT, 'broker unavailable', { retriable: true });
const permanent = () => new RxfError(ErrorCodes.SINK_PERMANENT, 'record too large');
const queueFull = () => new RxfError(ErrorCodes.QUEUE_FULL, 'queue full', { errorClass: 'queue_full' });

function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A send that fails with `errors` in turn, then succeeds with 'ok'; records the virtual time of each attempt. */
function scriptedSend(scheduler: TestScheduler, errors: Array<() => Error>, attemptsAt: number[]): Observable<string> {
  return defer(() => {
    attemptsAt.push(scheduler.now());
    const next = errors.shift();
    return next ? throwError(next) : of('ok');
  });
}

describe('retryBackoff', () => {
  it('retries transient errors with exponential backoff in virtual time', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const retries: Array<[number, number]> = [];
      const send = scriptedSend(scheduler, [transient, transient, transient, transient], at);
      const out = send.pipe(retryBackoff({ initialDelayMs: 100, jitter: 0, scheduler, onRetry: (_e, n, d) => retries.push([n, d]) }));
      expectObservable(out).toBe('1500ms (a|)', { a: 'ok' });
      scheduler.flush();
      expect(at).toEqual([0, 100, 300, 700, 1500]);
      expect(retries).toEqual([
        [1, 100],
        [2, 200],
        [3, 400],
        [4, 800],
      ]);
    });
  });

  it('caps the delay at maxDelayMs', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const send = scriptedSend(scheduler, [transient, transient, transient, transient], at);
      expectObservable(send.pipe(retryBackoff({ initialDelayMs: 100, maxDelayMs: 250, multiplier: 3, jitter: 0, scheduler }))).toBe(
        '850ms (a|)',
        { a: 'ok' },
      );
      scheduler.flush();
      expect(at).toEqual([0, 100, 350, 600, 850]);
    });
  });

  it('never asks for a wait longer than a timer can hold (a longer one would fire at once)', () => {
    const huge = { initialDelayMs: 3_000_000_000, maxDelayMs: 5_000_000_000, jitter: 0 };
    expect(backoffDelay(transient(), 1, huge)).toBe(2 ** 31 - 1);
    expect(backoffDelay(queueFull(), 1, { ...huge, queueFullDelayMs: 4_000_000_000 })).toBe(2 ** 31 - 1);
  });

  it('passes a permanent error through at once, without retrying', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const err = permanent();
      const send = scriptedSend(scheduler, [() => err], at);
      expectObservable(send.pipe(retryBackoff({ scheduler }))).toBe('#', undefined, err);
      scheduler.flush();
      expect(at).toEqual([0]);
    });
  });

  it('passes a non-RxfError through at once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const err = new TypeError('bug');
      expectObservable(throwError(() => err).pipe(retryBackoff({ scheduler }))).toBe('#', undefined, err);
    });
  });

  it('waits at least queueFullDelayMs after a queue_full error', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const send = scriptedSend(scheduler, [queueFull, transient], at);
      expectObservable(send.pipe(retryBackoff({ initialDelayMs: 100, jitter: 0, queueFullDelayMs: 1000, scheduler }))).toBe('1200ms (a|)', {
        a: 'ok',
      });
      scheduler.flush();
      expect(at).toEqual([0, 1000, 1200]);
    });
  });

  it('gives up after maxRetries with the last error', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const last = transient();
      const at: number[] = [];
      const send = scriptedSend(scheduler, [transient, transient, () => last, transient], at);
      expectObservable(send.pipe(retryBackoff({ initialDelayMs: 10, jitter: 0, maxRetries: 2, scheduler }))).toBe(
        '30ms #',
        undefined,
        last,
      );
      scheduler.flush();
      expect(at).toEqual([0, 10, 30]);
    });
  });

  it('restarts the attempt count for every subscription (each batch is its own send)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const retries: Array<[number, number]> = [];
      const errors = [transient, transient];
      const send = scriptedSend(scheduler, errors, at).pipe(
        retryBackoff({ initialDelayMs: 10, jitter: 0, scheduler, onRetry: (_e, n, d) => retries.push([n, d]) }),
      );
      scheduler.schedule(() => errors.push(transient), 50);
      // first send: fails twice (waits 10 + 20 ms); the second, at 100 ms, fails once and waits 10 ms, not 40.
      expectObservable(send).toBe('30ms (a|)', { a: 'ok' });
      expectObservable(timer(100, scheduler).pipe(concatMap(() => send))).toBe('110ms (a|)', { a: 'ok' });
      scheduler.flush();
      expect(at).toEqual([0, 10, 30, 100, 110]);
      expect(retries).toEqual([
        [1, 10],
        [2, 20],
        [1, 10],
      ]);
    });
  });

  it('clears the retry timer on unsubscribe mid-wait', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const send = scriptedSend(scheduler, [transient, transient], at);
      expectObservable(send.pipe(retryBackoff({ initialDelayMs: 100, jitter: 0, scheduler })), '^ 50ms !').toBe('');
      scheduler.flush();
      expect(at).toEqual([0]);
    });
  });

  it('uses shouldRetry in place of the default classification', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const send = scriptedSend(scheduler, [() => new Error('plain'), () => new Error('plain')], at);
      expectObservable(send.pipe(retryBackoff({ initialDelayMs: 5, jitter: 0, shouldRetry: () => true, scheduler }))).toBe('15ms (a|)', {
        a: 'ok',
      });
      scheduler.flush();
      expect(at).toEqual([0, 5, 15]);
    });
  });

  it('applies full ± jitter around the base delay', () => {
    const opts = { initialDelayMs: 1000, jitter: 0.2 };
    expect(backoffDelay(transient(), 1, opts, () => 0)).toBe(800);
    expect(backoffDelay(transient(), 1, opts, () => 0.5)).toBe(1000);
    expect(backoffDelay(transient(), 1, opts, () => 0.999_999)).toBe(1200);
    expect(backoffDelay(transient(), 3, opts, () => 0.5)).toBe(4000);
    // never above the cap, even with jitter
    expect(backoffDelay(transient(), 20, { ...opts, maxDelayMs: 30_000 }, () => 0.999)).toBe(30_000);
  });

  it('draws jitter in virtual time from the given random source', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const at: number[] = [];
      const send = scriptedSend(scheduler, [transient, transient], at);
      const randoms = [0, 0.999_999];
      const out = send.pipe(retryBackoff({ initialDelayMs: 100, jitter: 0.5, scheduler, random: () => randoms.shift() ?? 0.5 }));
      expectObservable(out).toBe('350ms (a|)', { a: 'ok' });
      scheduler.flush();
      expect(at).toEqual([0, 50, 350]);
    });
  });
});

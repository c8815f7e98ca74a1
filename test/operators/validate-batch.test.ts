import { lastValueFrom, of, Subject, toArray, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/core/errors.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { validateBatch } from '../../src/operators/validate-batch.js';
import { waitFor } from '../support/wait.js';
import { ArrayDeadLetter, acksOf, bodiesOf, makeBatch, ReadingParser } from './support.js';

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5, jitter: 0, maxRetries: 3 };

describe('validateBatch', () => {
  it('parses valid events in order, dead-letters the rest, then settles them rejected', async () => {
    const metrics = new Metrics();
    const parser = new ReadingParser();
    const deadLetter = new ArrayDeadLetter();
    const batch = makeBatch('tail', ['K0001,80', 'K0002,999', 'K0003', 'K0004,12', 'K0005,fast']);
    const oversize = batch.events[2]!;
    oversize.error = { code: ErrorCodes.LINE_TOO_LONG, reason: 'line of 9999999 bytes exceeds maxLineBytes' };

    const out = await lastValueFrom(
      of(batch).pipe(validateBatch(parser, deadLetter, { sourceId: 'tail', metrics, logger: silentLogger() }), toArray()),
    );

    expect(out).toHaveLength(1);
    expect(bodiesOf(out[0]!)).toEqual(['K0001,80', 'K0004,12']);
    expect(out[0]!.schema).toBe(parser.schema);
    expect(out[0]!.events.map((e) => e.record)).toEqual([
      { car: 'K0001', speed: 80 },
      { car: 'K0004', speed: 12 },
    ]);
    expect(deadLetter.entries.map((e) => [e.event.body.toString(), e.stage, e.code])).toEqual([
      ['K0002,999', 'validate', ErrorCodes.VALIDATION_FAILED],
      ['K0003', 'source', ErrorCodes.LINE_TOO_LONG],
      ['K0005,fast', 'validate', ErrorCodes.VALIDATION_FAILED],
    ]);
    expect(deadLetter.entries[0]!.reason).toContain('speed');
    expect(acksOf([batch]).map((a) => a.calls)).toEqual([[], ['rejected'], ['rejected'], [], ['rejected']]);
    expect(await metrics.value('rxflume_events_accepted_total', { component_kind: 'validator' })).toBe(2);
    expect(await metrics.value('rxflume_events_rejected_total', { component_kind: 'validator', reason: 'invalid' })).toBe(2);
    expect(await metrics.value('rxflume_events_rejected_total', { component_kind: 'validator', reason: 'line_too_long' })).toBe(1);
    expect(await metrics.value('rxflume_dead_lettered_total', { component_id: 'tail' })).toBe(3);
  });

  it('settles rejected only after the dead-letter write resolved, retrying a failed write', async () => {
    const deadLetter = new ArrayDeadLetter(2);
    const input = new Subject<EventBatch>();
    const batch = makeBatch('s', ['bad line without comma']);
    const emitted: EventBatch[] = [];
    let completed = false;
    input
      .pipe(
        validateBatch(new ReadingParser(), deadLetter, {
          sourceId: 's',
          metrics: new Metrics(),
          logger: silentLogger(),
          deadLetterRetry: fastRetry,
        }),
      )
      .subscribe({ next: (b) => emitted.push(b), complete: () => (completed = true) });
    input.next(batch);
    const ack = acksOf([batch])[0]!;
    expect(ack.settled).toBe(false);
    input.complete();
    expect(completed).toBe(false); // waits for the dead-letter write
    await waitFor(() => completed, { what: 'completion after dead-letter write' });
    expect(deadLetter.writes).toBe(3);
    expect(deadLetter.entries).toHaveLength(1);
    expect(ack.calls).toEqual(['rejected']);
    expect(emitted).toEqual([]);
  });

  it('settles failed when the dead-letter writes give up, and still completes', async () => {
    const deadLetter = new ArrayDeadLetter(100);
    const batch = makeBatch('s', ['x']);
    const out = await lastValueFrom(
      of(batch).pipe(
        validateBatch(new ReadingParser(), deadLetter, {
          sourceId: 's',
          metrics: new Metrics(),
          logger: silentLogger(),
          deadLetterRetry: fastRetry,
        }),
        toArray(),
      ),
    );
    expect(out).toEqual([]);
    expect(deadLetter.writes).toBe(4);
    expect(acksOf([batch])[0]!.calls).toEqual(['failed']);
  });

  it('treats a parser that throws as a parse failure', async () => {
    const deadLetter = new ArrayDeadLetter();
    const parser = new ReadingParser();
    parser.parse = () => {
      throw new Error('parser bug');
    };
    const batch = makeBatch('s', ['K1,1']);
    await lastValueFrom(
      of(batch).pipe(validateBatch(parser, deadLetter, { sourceId: 's', metrics: new Metrics(), logger: silentLogger() }), toArray()),
    );
    expect(deadLetter.entries.map((e) => [e.stage, e.code, e.reason])).toEqual([
      ['parse', ErrorCodes.PARSE_FAILED, 'parser threw: parser bug'],
    ]);
  });

  it('on teardown cancels the retry wait and settles waiting events failed', async () => {
    const deadLetter = new ArrayDeadLetter(100);
    const scheduler = new VirtualTimeScheduler();
    const input = new Subject<EventBatch>();
    const batch = makeBatch('s', ['x', 'y']);
    const sub = input
      .pipe(
        validateBatch(new ReadingParser(), deadLetter, {
          sourceId: 's',
          metrics: new Metrics(),
          logger: silentLogger(),
          deadLetterRetry: { initialDelayMs: 60_000, jitter: 0, scheduler },
        }),
      )
      .subscribe();
    input.next(batch);
    await waitFor(() => scheduler.actions.length === 1, { what: 'a retry wait' });
    expect(deadLetter.writes).toBe(1);
    sub.unsubscribe();
    expect(acksOf([batch]).map((a) => a.calls)).toEqual([['failed'], ['failed']]);
    scheduler.flush(); // a retry timer left behind would write again here
    await new Promise((r) => setImmediate(r));
    expect(deadLetter.writes).toBe(1);
  });

  it('passes the input error on after the dead-letter queue drained', async () => {
    const deadLetter = new ArrayDeadLetter(1);
    const input = new Subject<EventBatch>();
    const batch = makeBatch('s', ['bad']);
    let error: unknown;
    input
      .pipe(
        validateBatch(new ReadingParser(), deadLetter, {
          sourceId: 's',
          metrics: new Metrics(),
          logger: silentLogger(),
          deadLetterRetry: fastRetry,
        }),
      )
      .subscribe({ error: (e) => (error = e) });
    input.next(batch);
    input.error(new Error('source died'));
    await waitFor(() => error, { what: 'error' });
    expect((error as Error).message).toBe('source died');
    expect(acksOf([batch])[0]!.calls).toEqual(['rejected']);
  });
});

import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Interceptor } from '../../src/core/component.js';
import type { FlumeEvent } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { interceptBatch } from '../../src/operators/intercept-batch.js';
import { acksOf, bodiesOf, makeBatch } from './support.js';

/** Keeps lines that start with 14 digits (the pilot's regex_filter). */
const keepTimestamped: Interceptor = {
  type: 'regex_filter',
  intercept: (e) => (/^\d{14}/.test(e.body.toString()) ? e : null),
};

const appendDay: Interceptor = {
  type: 'append',
  intercept: (e) => {
    e.body = Buffer.concat([e.body, Buffer.from(',20240101')]);
    return e;
  },
};

const explodeOnBoom: Interceptor = {
  type: 'exploding',
  intercept: (e) => {
    if (e.body.toString().includes('boom')) throw new Error('interceptor bug');
    return e;
  },
};

describe('interceptBatch', () => {
  it('runs the chain in order, settles filtered events rejected and counts them', async () => {
    const metrics = new Metrics();
    const batch = makeBatch('spool', [
      'SmartCar Status Information,CarNum',
      '20160101000004,K0001,81',
      'garbage',
      '20160101000008,K0001,82',
    ]);
    const out = await lastValueFrom(
      of(batch).pipe(interceptBatch([keepTimestamped, appendDay], { sourceId: 'spool', metrics }), toArray()),
    );

    expect(out).toHaveLength(1);
    expect(bodiesOf(out[0]!)).toEqual(['20160101000004,K0001,81,20240101', '20160101000008,K0001,82,20240101']);
    const acks = acksOf([batch]);
    expect(acks.map((a) => a.calls)).toEqual([['rejected'], [], ['rejected'], []]);
    expect(await metrics.value('rxflume_events_rejected_total', { component_kind: 'interceptor', reason: 'filtered' })).toBe(2);
    expect(await metrics.value('rxflume_events_accepted_total', { component_kind: 'interceptor' })).toBe(2);
  });

  it('does not emit a batch the chain emptied, and passes an untouched batch as the same object', async () => {
    const metrics = new Metrics();
    const dropped = makeBatch('s', ['a', 'b']);
    const kept = makeBatch('s', ['20160101000004,x']);
    const out = await lastValueFrom(of(dropped, kept).pipe(interceptBatch([keepTimestamped], { sourceId: 's', metrics }), toArray()));
    expect(out).toEqual([kept]);
    expect(out[0]).toBe(kept);
    expect(acksOf([dropped]).every((a) => a.outcome === 'rejected')).toBe(true);
  });

  it('drops an event whose interceptor throws, as interceptor_error, logging once per batch', async () => {
    const metrics = new Metrics();
    const logs: unknown[] = [];
    const logger = silentLogger();
    logger.warn = ((obj: unknown) => logs.push(obj)) as typeof logger.warn;
    const batch = makeBatch('s', ['ok1', 'boom1', 'ok2', 'boom2']);
    const out = await lastValueFrom(of(batch).pipe(interceptBatch([explodeOnBoom], { sourceId: 's', metrics, logger }), toArray()));
    expect(bodiesOf(out[0]!)).toEqual(['ok1', 'ok2']);
    expect(acksOf([batch]).map((a) => a.calls)).toEqual([[], ['rejected'], [], ['rejected']]);
    expect(await metrics.value('rxflume_events_rejected_total', { reason: 'interceptor_error' })).toBe(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ interceptor: 'exploding', events: 2 });
  });

  it('with an empty chain passes batches through and counts them accepted', async () => {
    const metrics = new Metrics();
    const batch = makeBatch('s', ['a', 'b', 'c']);
    const out = await lastValueFrom(of(batch).pipe(interceptBatch([], { sourceId: 's', metrics }), toArray()));
    expect(out).toEqual([batch]);
    expect(await metrics.value('rxflume_events_accepted_total', { component_kind: 'interceptor' })).toBe(3);
  });

  it('keeps a replacement event an interceptor returns', async () => {
    const replace: Interceptor = { type: 'replace', intercept: (e): FlumeEvent => ({ ...e, body: Buffer.from('new') }) };
    const batch = makeBatch('s', ['old']);
    const out = await lastValueFrom(of(batch).pipe(interceptBatch([replace], { sourceId: 's', metrics: new Metrics() }), toArray()));
    expect(bodiesOf(out[0]!)).toEqual(['new']);
    expect(out[0]).not.toBe(batch);
  });
});

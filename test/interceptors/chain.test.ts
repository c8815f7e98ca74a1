import { describe, expect, it } from 'vitest';
import { RxfError } from '../../src/core/errors.js';
import { createInterceptorChain, interceptorTypes } from '../../src/interceptors/registry.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const NOW = Date.UTC(2024, 0, 1, 15, 30); // 2024-01-02 in Seoul
const ctx = testContext('car-batch', '/tmp', { now: () => NOW });

/** The seed agent's SmartCarInfo_SpoolSource interceptors, in its order. */
const SEED_CHAIN = [
  { type: 'timestamp', preserveExisting: true },
  { type: 'static', key: 'logType', value: 'car-batch-log' },
  { type: 'append_field', timeZone: 'Asia/Seoul' },
  { type: 'regex_filter', regex: '^\\d{14}' },
];
const HEADER =
  'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo';
const DATA = '20160101000004,K0001,81,97,88,90,1,1,1,1,A,A,83';

const configError = (entries: Parameters<typeof createInterceptorChain>[0]): RxfError => {
  try {
    createInterceptorChain(entries, ctx);
  } catch (err) {
    return err as RxfError;
  }
  throw new Error('expected a config error');
};

describe('interceptor chain', () => {
  it('registers every Flume-named type', () => {
    expect(Object.keys(interceptorTypes).sort()).toEqual([
      'append_field',
      'host',
      'regex_extractor',
      'regex_filter',
      'search_replace',
      'static',
      'timestamp',
    ]);
    for (const [type, registration] of Object.entries(interceptorTypes)) expect(registration.type).toBe(type);
  });

  it('runs the seed chain: drops the header line, stamps and extends a data line', () => {
    const chain = createInterceptorChain(SEED_CHAIN, ctx);
    expect(chain.interceptors.map((i) => i.type)).toEqual(['timestamp', 'static', 'append_field', 'regex_filter']);

    const header = makeEvent(HEADER);
    expect(chain.intercept(header)).toBeNull();
    expect(header.outcome()).toBeUndefined(); // the chain never settles: its caller does

    const data = makeEvent(DATA);
    const out = chain.intercept(data);
    expect(out).toBe(data);
    expect(data.headers).toEqual({ timestamp: String(NOW), logType: 'car-batch-log' });
    expect(data.body.toString()).toBe(`${DATA},20240102`);
    expect(data.outcome()).toBeUndefined();

    // …and the result is exactly what the CarStatus schema reads, collect day included.
    const parsed = createCsvParser(loadSchemaRegistry().get('smartcar.CarStatus')).parse(data.body);
    expect(parsed.ok && parsed.record.collect_date).toBe('20240102');
  });

  it('keeps an upstream timestamp (preserveExisting) and dates the appended day from it', () => {
    const chain = createInterceptorChain(SEED_CHAIN, ctx);
    const event = makeEvent(DATA, { timestamp: String(Date.UTC(2023, 11, 31, 12)) });
    chain.intercept(event);
    expect(event.headers.timestamp).toBe(String(Date.UTC(2023, 11, 31, 12)));
    expect(event.body.toString()).toBe(`${DATA},20231231`);
  });

  it('stops at the first interceptor that drops an event', () => {
    const chain = createInterceptorChain(
      [
        { type: 'regex_filter', regex: 'keep' },
        { type: 'static', key: 'seen', value: 'yes', preserveExisting: false },
      ],
      ctx,
    );
    const dropped = makeEvent('drop me');
    expect(chain.intercept(dropped)).toBeNull();
    expect(dropped.headers).toEqual({});
    expect(chain.intercept(makeEvent('keep me'))?.headers).toEqual({ seen: 'yes' });
  });

  it('lets an event a source marked unreadable through untouched', () => {
    const chain = createInterceptorChain(SEED_CHAIN, ctx);
    const oversize = makeEvent('prefix of a 5 MB line');
    oversize.error = { code: 'RXF_LINE_TOO_LONG', reason: 'line of 5000000 bytes exceeds maxLineBytes' };
    expect(chain.intercept(oversize)).toBe(oversize);
    expect(oversize.body.toString()).toBe('prefix of a 5 MB line');
    expect(oversize.headers).toEqual({});
  });

  it('accepts the { type, options } form the config loader produces', () => {
    const chain = createInterceptorChain([{ type: 'static', options: { key: 'logType', value: 'x' } }], ctx);
    expect(chain.intercept(makeEvent('a'))?.headers).toEqual({ logType: 'x' });
  });

  it('passes everything through when empty', () => {
    const event = makeEvent('a');
    expect(createInterceptorChain([], ctx).intercept(event)).toBe(event);
  });

  it('lists the known types for an unknown one', () => {
    const err = configError([{ type: 'timestamp' }, { type: 'regex' }]);
    expect(err).toBeInstanceOf(RxfError);
    expect(err.code).toBe('RXF_CONFIG_INVALID');
    expect(err.message).toBe(
      'invalid interceptors:\n  interceptors[1].type: unknown interceptor "regex" ' +
        '(known: timestamp, static, host, regex_filter, regex_extractor, search_replace, append_field)',
    );
  });

  it('reports every problem with its path in one error', () => {
    const err = configError([
      { type: 'regex_filter' },
      { type: 'static', key: 'a', vaule: 'b' },
      { key: 'a' },
      { type: 'regex_extractor', regex: '(a)', serializers: [{ name: 'a', type: 'millis' }] },
    ]);
    expect(err.message.split('\n  ').slice(1)).toEqual([
      'interceptors[0].regex: required: a regular expression',
      'interceptors[1].vaule: unknown option',
      'interceptors[2].type: required (known: timestamp, static, host, regex_filter, regex_extractor, search_replace, append_field)',
      'interceptors[3].serializers[0].pattern: required for a millis serializer',
    ]);
  });
});

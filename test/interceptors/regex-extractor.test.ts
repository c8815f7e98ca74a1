import { describe, expect, it } from 'vitest';
import { regexExtractorInterceptor } from '../../src/interceptors/regex-extractor.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const ctx = testContext('src', '/tmp');
const create = (options: unknown) => regexExtractorInterceptor.create(regexExtractorInterceptor.configSchema.parse(options), ctx);

describe('regex_extractor interceptor', () => {
  it('puts capture groups into headers named by the serializers, in order', () => {
    const i = create({ regex: '^(\\d{14}),([A-Z]\\d{4}),', serializers: [{ name: 'regDate' }, { name: 'car' }] });
    const event = makeEvent('20160101000004,K0001,81', { car: 'old' });
    expect(i.intercept(event)).toBe(event);
    expect(event.headers).toEqual({ regDate: '20160101000004', car: 'K0001' });
  });

  it('reads a millis serializer with its pattern and zone', () => {
    const i = create({
      regex: '^(\\d{14}),',
      serializers: [{ name: 'eventTime', type: 'millis', pattern: 'yyyyMMddHHmmss', timeZone: 'Asia/Seoul' }],
    });
    expect(i.intercept(makeEvent('20160101090000,K0001'))?.headers).toEqual({ eventTime: String(Date.UTC(2016, 0, 1, 0, 0, 0)) });
  });

  it('uses the first match only and ignores groups beyond the serializers (Flume semantics)', () => {
    const i = create({ regex: '(\\w)(\\d)', serializers: [{ name: 'letter' }] });
    expect(i.intercept(makeEvent('a1 b2'))?.headers).toEqual({ letter: 'a' });
  });

  it('passes events on unchanged when nothing matches, a group is absent, or a time does not parse', () => {
    const i = create({
      regex: '^(x)?(\\d{8})',
      serializers: [{ name: 'x' }, { name: 'day', type: 'millis', pattern: 'yyyyMMdd', timeZone: 'UTC' }],
    });
    expect(i.intercept(makeEvent('no digits'))?.headers).toEqual({});
    expect(i.intercept(makeEvent('20241301'))?.headers).toEqual({});
    expect(i.intercept(makeEvent('20240131'))?.headers).toEqual({ day: String(Date.UTC(2024, 0, 31)) });
  });

  it.each([
    [{ serializers: [{ name: 'a' }] }, ['regex: required: a regular expression']],
    [{ regex: '(a)' }, ['serializers: must be a list of { name, type, pattern }']],
    [{ regex: '(a)', serializers: [] }, ['serializers: name at least one serializer']],
    [{ regex: '(a)', serializers: [{ type: 'default' }] }, ['serializers.0.name: required: the header name']],
    [{ regex: '(a)', serializers: [{ name: 'a', type: 'millis' }] }, ['serializers.0.pattern: required for a millis serializer']],
    [{ regex: '(a)', serializers: [{ name: 'a', type: 'seconds' }] }, ['serializers.0.type: must be "default" or "millis"']],
    [
      { regex: '(a)', serializers: [{ name: 'a', type: 'millis', pattern: 'yy' }] },
      ['serializers.0.pattern: date pattern "yy": unsupported "yy" (supported: yyyy, MM, dd, HH, mm, ss, SSS)'],
    ],
  ])('config %j → %j', (options, messages) => {
    const r = regexExtractorInterceptor.configSchema.safeParse(options);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(messages);
  });
});

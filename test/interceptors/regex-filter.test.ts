import { describe, expect, it } from 'vitest';
import { regexFilterInterceptor } from '../../src/interceptors/regex-filter.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const ctx = testContext('src', '/tmp');
const create = (options: unknown) => regexFilterInterceptor.create(regexFilterInterceptor.configSchema.parse(options), ctx);

describe('regex_filter interceptor', () => {
  it('keeps matching events and drops the rest (the seed ^\\d{14} filter)', () => {
    const filter = create({ regex: '^\\d{14}' });
    const data = makeEvent('20160101000004,K0001,81,97,88,90,1,1,1,1,A,A,83');
    expect(filter.intercept(data)).toBe(data);
    expect(filter.intercept(makeEvent('SmartCar Status Information,CarNum,TireFL'))).toBeNull();
  });

  it('drops matching events with excludeEvents', () => {
    const filter = create({ regex: 'DEBUG', excludeEvents: true });
    expect(filter.intercept(makeEvent('a DEBUG line'))).toBeNull();
    expect(filter.intercept(makeEvent('an INFO line'))?.body.toString()).toBe('an INFO line');
  });

  it('searches anywhere in the body, like Java find()', () => {
    expect(create({ regex: 'K00\\d\\d' }).intercept(makeEvent('20160101000004,K0001,81'))).not.toBeNull();
  });

  it('matches a non-ASCII pattern against UTF-8 text', () => {
    const filter = create({ regex: '^서울.$' });
    expect(filter.intercept(makeEvent('서울시'))).not.toBeNull();
    expect(filter.intercept(makeEvent('부산시'))).toBeNull();
  });

  it('tests an ASCII pattern without failing on invalid UTF-8', () => {
    const filter = create({ regex: '^\\d{14}' });
    expect(filter.intercept(makeEvent(Buffer.from([0x32, 0x30, 0xff, 0xfe])))).toBeNull();
    expect(filter.intercept(makeEvent(Buffer.concat([Buffer.from('20160101000004,'), Buffer.from([0xff])])))).not.toBeNull();
  });

  it('keeps an event a source marked unreadable, so it is dead-lettered rather than filtered', () => {
    const oversize = makeEvent('garbage prefix');
    oversize.error = { code: 'RXF_LINE_TOO_LONG', reason: 'line of 5000000 bytes exceeds maxLineBytes' };
    expect(create({ regex: '^\\d{14}' }).intercept(oversize)).toBe(oversize);
  });

  it('gives the same answer for every event (no lastIndex state)', () => {
    const filter = create({ regex: '\\d' });
    for (let i = 0; i < 5; i++) expect(filter.intercept(makeEvent('a1'))).not.toBeNull();
  });

  it.each([
    [{}, ['regex: required: a regular expression']],
    [{ regex: '' }, ['regex: must not be empty']],
    [{ regex: '([' }, ['regex: invalid regular expression: Invalid regular expression: /([/: Unterminated character class']],
    [{ regex: 'a', excludeEvents: 'true' }, ['excludeEvents: must be true or false']],
    [{ regex: 'a', exclude: true }, [': Unrecognized key: "exclude"']],
  ])('config %j → %j', (options, messages) => {
    const r = regexFilterInterceptor.configSchema.safeParse(options);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(messages);
  });
});

import { describe, expect, it } from 'vitest';
import { appendFieldInterceptor } from '../../src/interceptors/append-field.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const NOW = Date.UTC(2024, 0, 1, 15, 30); // 2024-01-02 00:30 in Seoul
const ctx = testContext('src', '/tmp', { now: () => NOW });
const create = (options: unknown) => appendFieldInterceptor.create(appendFieldInterceptor.configSchema.parse(options), ctx);
const LINE = '20160101000004,K0001,81,97,88,90,1,1,1,1,A,A,83';

describe('append_field interceptor', () => {
  it('appends ,yyyyMMdd of the timestamp header', () => {
    const stamped = Date.UTC(2023, 6, 15, 12);
    const out = create({ timeZone: 'UTC' }).intercept(makeEvent(LINE, { timestamp: String(stamped) }));
    expect(out?.body.toString()).toBe(`${LINE},20230715`);
  });

  it('uses ctx.now() when the header is missing, not a number, or useHeader is off', () => {
    expect(create({ timeZone: 'UTC' }).intercept(makeEvent(LINE))?.body.toString()).toBe(`${LINE},20240101`);
    expect(
      create({ timeZone: 'UTC' })
        .intercept(makeEvent(LINE, { timestamp: 'soon' }))
        ?.body.toString(),
    ).toBe(`${LINE},20240101`);
    const ignoring = create({ timeZone: 'UTC', useHeader: false });
    expect(ignoring.intercept(makeEvent(LINE, { timestamp: '0' }))?.body.toString()).toBe(`${LINE},20240101`);
  });

  it('renders in the configured zone, delimiter and format', () => {
    const out = create({ timeZone: 'Asia/Seoul', delimiter: '|', format: 'yyyy-MM-dd HH:mm' }).intercept(makeEvent('a|b'));
    expect(out?.body.toString()).toBe('a|b|2024-01-02 00:30');
  });

  it('defaults to the process zone', () => {
    const d = new Date(NOW);
    const expected = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    expect(create({}).intercept(makeEvent('x'))?.body.toString()).toBe(`x,${expected}`);
  });

  it('builds a new body and leaves the original bytes untouched', () => {
    const shared = Buffer.from(`${LINE}\nNEXT`);
    const event = makeEvent(shared.subarray(0, LINE.length));
    create({ timeZone: 'UTC' }).intercept(event);
    expect(event.body.toString()).toBe(`${LINE},20240101`);
    expect(shared.toString()).toBe(`${LINE}\nNEXT`);
  });

  it('appends per event, each with its own timestamp', () => {
    const i = create({ timeZone: 'UTC' });
    const a = i.intercept(makeEvent('a', { timestamp: String(Date.UTC(2024, 0, 1)) }));
    const b = i.intercept(makeEvent('b', { timestamp: String(Date.UTC(2024, 0, 2)) }));
    const c = i.intercept(makeEvent('c', { timestamp: String(Date.UTC(2024, 0, 1, 23)) }));
    expect([a, b, c].map((e) => e?.body.toString())).toEqual(['a,20240101', 'b,20240102', 'c,20240101']);
  });

  it.each([
    [{ format: 'yyMMdd' }, ['format: date pattern "yyMMdd": unsupported "yy" (supported: yyyy, MM, dd, HH, mm, ss, SSS)']],
    [{ timeZone: 'Mars/Olympus' }, ['timeZone: must be "local" or an IANA time zone such as Asia/Seoul']],
    [{ useHeader: 1 }, ['useHeader: must be true or false']],
    [{ delimiter: 1 }, ['delimiter: must be a string']],
  ])('config %j → %j', (options, messages) => {
    const r = appendFieldInterceptor.configSchema.safeParse(options);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(messages);
  });
});

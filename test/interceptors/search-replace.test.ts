import { describe, expect, it } from 'vitest';
import { searchReplaceInterceptor } from '../../src/interceptors/search-replace.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const ctx = testContext('src', '/tmp');
const create = (options: unknown) => searchReplaceInterceptor.create(searchReplaceInterceptor.configSchema.parse(options), ctx);

describe('search_replace interceptor', () => {
  it('replaces every match, with group references', () => {
    const i = create({ searchPattern: '(\\d{4})(\\d{2})(\\d{2})', replaceString: '$1-$2-$3' });
    expect(i.intercept(makeEvent('from 20240101 to 20240102'))?.body.toString()).toBe('from 2024-01-01 to 2024-01-02');
  });

  it('deletes matches by default', () => {
    expect(create({ searchPattern: '\\s+' }).intercept(makeEvent(' a b  c '))?.body.toString()).toBe('abc');
  });

  it('keeps the original body buffer when nothing matches', () => {
    const event = makeEvent('nothing here');
    const before = event.body;
    create({ searchPattern: '\\d' }).intercept(event);
    expect(event.body).toBe(before);
  });

  it('reads and writes the body in the configured charset', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    const out = create({ searchPattern: 'é', replaceString: 'e', charset: 'iso-8859-1' }).intercept(makeEvent(latin1));
    expect(out?.body.toString('latin1')).toBe('cafe');
    const utf8 = create({ searchPattern: '한', replaceString: 'K' }).intercept(makeEvent('한국'));
    expect(utf8?.body.toString('utf8')).toBe('K국');
  });

  it.each([
    [{}, ['searchPattern: required: a regular expression']],
    [{ searchPattern: 'a', charset: 'EBCDIC' }, ['charset: must be one of UTF-8, UTF8, ISO-8859-1, LATIN1, US-ASCII, UTF-16LE']],
    [{ searchPattern: 'a', replaceString: null }, ['replaceString: must be a string']],
  ])('config %j → %j', (options, messages) => {
    const r = searchReplaceInterceptor.configSchema.safeParse(options);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(messages);
  });
});

/**
 * Where Flume's Java behaviour differs from JavaScript's, an imported config must still do what
 * Flume did: spooldir file-name patterns match the whole name (Java `matches()`), and a
 * search_replace replacement is read with Java's `Matcher.replaceAll` syntax and Flume's value
 * trimming. Each case runs the real rxflume component on the imported options.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flume and Java text with ${NAME} written literally
import { describe, expect, it } from 'vitest';
import type { FlumeEvent } from '../../src/core/event.js';
import { searchReplaceConfigSchema, searchReplaceInterceptor } from '../../src/interceptors/search-replace.js';
import { agentFile, imported } from './helpers.js';

const SPOOL = ['a1.sources.r1.type = spooldir', 'a1.sources.r1.spoolDir = /var/spool/in'];

describe('spooldir includePattern / ignorePattern: the whole file name must match, as in Flume', () => {
  const patterns = (lines: string[]) => {
    const r = imported(agentFile({ source: [...SPOOL, ...lines] }));
    expect(r.errors).toEqual([]);
    expect(r.validate()).toEqual([]);
    const s = r.source as { includePattern?: string; ignorePattern?: string };
    return {
      included: (name: string) => s.includePattern === undefined || new RegExp(s.includePattern).test(name),
      ignored: (name: string) => s.ignorePattern !== undefined && new RegExp(s.ignorePattern).test(name),
    };
  };

  it('ignorePattern = backup ignores only a file named "backup", never status-backup-20160101.log', () => {
    const p = patterns(['a1.sources.r1.ignorePattern = backup']);
    expect(p.ignored('backup')).toBe(true);
    expect(p.ignored('status-backup-20160101.log')).toBe(false);
  });

  it('includePattern = .*\\.csv reads a.csv but not a.csv.bak', () => {
    const p = patterns(['a1.sources.r1.includePattern = .*\\\\.csv']);
    expect(p.included('a.csv')).toBe(true);
    expect(p.included('a.csv.bak')).toBe(false);
  });

  it('an alternation is anchored as a whole (Flume: ^(?:a|b)$ semantics)', () => {
    const p = patterns(['a1.sources.r1.ignorePattern = tmp|old']);
    expect(p.ignored('tmp')).toBe(true);
    expect(p.ignored('old')).toBe(true);
    expect(p.ignored('tmp-1.log')).toBe(false);
    expect(p.ignored('my-old')).toBe(false);
  });
});

/** The body after the imported search_replace ran on `body`. */
function replaced(r: ReturnType<typeof imported>, body: string): string {
  const entry = (r.source.interceptors as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const { type: _type, ...options } = entry;
  const interceptor = searchReplaceInterceptor.create(searchReplaceConfigSchema.parse(options), undefined as never);
  const event = { body: Buffer.from(body), headers: {} } as unknown as FlumeEvent;
  return (interceptor.intercept(event) as FlumeEvent).body.toString();
}

const searchReplace = (search: string, replace: string) =>
  imported(
    agentFile({
      source: [
        ...SPOOL,
        'a1.sources.r1.interceptors = sr',
        'a1.sources.r1.interceptors.sr.type = search_replace',
        `a1.sources.r1.interceptors.sr.searchPattern = ${search}`,
        `a1.sources.r1.interceptors.sr.replaceString = ${replace}`,
      ],
    }),
  );

describe('search_replace replaceString: Java Matcher.replaceAll syntax', () => {
  // Each: Flume file text of searchPattern and replaceString, body, what Flume (Java) writes.
  it.each([
    ['group reference $1', '(\\\\d+)', '<$1>', 'car 42', 'car <42>'],
    ['escaped dollar \\$ is a literal $', '(\\\\d+)', '\\\\$$1', 'cost 5', 'cost $5'],
    ['$0 is the whole match', '\\\\d+', '[$0]', 'a 12 b', 'a [12] b'],
    ['named group ${name}', '(?<n>\\\\d+)', '#${n}', 'k 7', 'k #7'],
    ['escaped backslash \\\\ is one backslash', ',', '\\\\\\\\', 'a,b', 'a\\b'],
    ['a $ before a letter is kept literal only when escaped', 'x', '\\\\$&', 'axb', 'a$&b'],
    ['$12 with one group is $1 then 2 (Java reads digits while the group exists)', '(a)', '$12', 'a', 'a2'],
  ])('%s', (_name, search, replace, body, flume) => {
    const r = searchReplace(search, replace);
    expect(r.errors).toEqual([]);
    expect(r.validate()).toEqual([]);
    expect(replaced(r, body)).toBe(flume);
  });

  it.each([
    ['a lone $ (Java: Illegal group reference)', '$x', 'not a group reference'],
    ['a group the pattern does not have (Java: No group 2)', '$2', 'no group 2'],
    ['an unclosed named reference', '${n', 'named group reference'],
    ['a named group the pattern does not have', '${zz}', 'no group named zz'],
  ])('%s is an import error with key and line', (_name, replace, message) => {
    const r = searchReplace('(?<n>\\\\d+)', replace);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^line 9: a1\.sources\.r1\.interceptors\.sr\.replaceString: /);
    expect(r.errors[0]).toContain(message);
  });

  it('Flume trims the value, so trailing blanks in the file are not written (said in a warning)', () => {
    const r = searchReplace('\\\\s+', '_  ');
    expect(r.errors).toEqual([]);
    expect(replaced(r, 'a  b')).toBe('a_b');
    expect(r.warnings).toEqual([
      'line 9: a1.sources.r1.interceptors.sr.replaceString: Flume trims property values: the replacement is "_" (the blanks written in the file are dropped, as Flume did)',
    ]);
    const blank = searchReplace('\\\\s+', '\\u0020');
    expect(replaced(blank, 'a  b')).toBe('ab');
    expect(blank.warnings).toEqual([
      'line 9: a1.sources.r1.interceptors.sr.replaceString: empty value: Flume ignores the property, and so does the import',
    ]);
  });
});

describe("Flume's reading of values", () => {
  it('a property with an empty value is ignored, as Flume does (said in a warning): the static default value stays', () => {
    const r = imported(
      agentFile({
        source: [
          ...SPOOL,
          'a1.sources.r1.interceptors = st',
          'a1.sources.r1.interceptors.st.type = static',
          'a1.sources.r1.interceptors.st.value =  ',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.source.interceptors).toEqual([{ type: 'static' }]);
    expect(r.warnings).toEqual([
      'line 8: a1.sources.r1.interceptors.st.value: empty value: Flume ignores the property, and so does the import',
    ]);
    expect(r.validate()).toEqual([]);
  });

  it('an empty hdfs.inUseSuffix keeps the default .tmp instead of failing validation', () => {
    const r = imported(
      agentFile({
        sink: [
          'a1.sinks.k1.type = hdfs',
          'a1.sinks.k1.hdfs.path = file:///out',
          'a1.sinks.k1.hdfs.fileType = DataStream',
          'a1.sinks.k1.hdfs.inUseSuffix =',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.sink.inUseSuffix).toBeUndefined();
    expect(r.validate()).toEqual([]);
  });

  it('a relative hdfs.path (Flume: under the HDFS user home folder) is an error with key and line', () => {
    const r = imported(
      agentFile({ sink: ['a1.sinks.k1.type = hdfs', 'a1.sinks.k1.hdfs.path = flume/events/%Y', 'a1.sinks.k1.hdfs.fileType = DataStream'] }),
    );
    expect(r.errors).toEqual([
      'line 8: a1.sinks.k1.hdfs.path: "flume/events/%Y" is relative: Flume writes it under the HDFS user\'s home folder (/user/NAME/…); write the full path',
    ]);
  });
});

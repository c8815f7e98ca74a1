/** The Java-properties reader: java.util.Properties#load semantics, with the line of each entry. */
import { describe, expect, it } from 'vitest';
import { parseProperties, unescapeProperty } from '../../src/flume/properties.js';

const one = (text: string) => {
  const parsed = parseProperties(text);
  expect(parsed.problems).toEqual([]);
  return parsed.entries.map((e) => [e.key, e.value, e.line]);
};

describe('parseProperties', () => {
  it.each([
    ['a = b', [['a', 'b', 1]]],
    ['a=b', [['a', 'b', 1]]],
    ['a:b', [['a', 'b', 1]]],
    ['a b', [['a', 'b', 1]]],
    ['a \t: \t b', [['a', 'b', 1]]],
    ['a == b', [['a', '= b', 1]]],
    ['a = b = c', [['a', 'b = c', 1]]],
    ['a =', [['a', '', 1]]],
    ['a', [['a', '', 1]]],
    ['   a = b', [['a', 'b', 1]]],
    ['a = b  ', [['a', 'b  ', 1]]],
    ['# comment\n! also a comment\n\n  # indented comment\na = 1', [['a', '1', 5]]],
    ['a = x # not a comment', [['a', 'x # not a comment', 1]]],
    ['a = one \\\n    two', [['a', 'one two', 1]]],
    [
      'a = one\\\n  \\\n  two\nb = 3',
      [
        ['a', 'onetwo', 1],
        ['b', '3', 4],
      ],
    ],
    [
      'a = ends with two backslashes \\\\\nb = 2',
      [
        ['a', 'ends with two backslashes \\', 1],
        ['b', '2', 2],
      ],
    ],
    ['# comment \\\na = 1', [['a', '1', 2]]],
    ['a = x\\\n# continued, not a comment', [['a', 'x# continued, not a comment', 1]]],
    ['regex = ^\\\\d{14}', [['regex', '^\\d{14}', 1]]],
    ['key\\ with\\ spaces = v', [['key with spaces', 'v', 1]]],
    ['k\\=1 = v', [['k=1', 'v', 1]]],
    ['k\\:1 : v', [['k:1', 'v', 1]]],
    ['tabs = a\\tb\\nc', [['tabs', 'a\tb\nc', 1]]],
    ['u = caf\\u00e9 \\u0041', [['u', 'café A', 1]]],
    ['other = \\q\\d', [['other', 'qd', 1]]],
    [
      'a = 1\r\nb = 2\rc = 3',
      [
        ['a', '1', 1],
        ['b', '2', 2],
        ['c', '3', 3],
      ],
    ],
    ['\ufeffa = bom', [['a', 'bom', 1]]],
    ['a = last line continues \\', [['a', 'last line continues ', 1]]],
    ['type = com.example.CollectDayInterceptor$Builder', [['type', 'com.example.CollectDayInterceptor$Builder', 1]]],
  ])('%j', (text, expected) => {
    expect(one(text)).toEqual(expected);
  });

  it('a repeated key keeps the last value and records the earlier lines', () => {
    const parsed = parseProperties('a = 1\nb = x\na = 2\na = 3');
    expect(parsed.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['b', 'x', 2],
      ['a', '3', 4],
    ]);
    expect(parsed.overridden.get('a')).toEqual([1, 3]);
  });

  it('a malformed \\u escape is a problem with its line; other entries survive', () => {
    const parsed = parseProperties('a = 1\nb = \\u12G4\nc = 3');
    expect(parsed.problems).toEqual([{ line: 2, key: 'b', message: 'malformed unicode escape "\\u12G4" (needs 4 hex digits)' }]);
    expect(parsed.entries.map((e) => e.key)).toEqual(['a', 'c']);
  });

  it('a malformed \\u escape in a key: the line only (the key cannot be read)', () => {
    const parsed = parseProperties('a = 1\nb\\u00 = 2');
    expect(parsed.problems).toEqual([{ line: 2, message: 'malformed unicode escape "\\u00" (needs 4 hex digits)' }]);
  });

  it('unescapeProperty leaves text without backslashes untouched', () => {
    expect(unescapeProperty('plain %{logType}/%Y%m%d')).toBe('plain %{logType}/%Y%m%d');
  });
});

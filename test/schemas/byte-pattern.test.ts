import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteMatcher, bytePatternSource } from '../../src/schemas/byte-pattern.js';

const NAMES = { buf: 'b', start: 's', end: 'e', pos: 'k', mark: 'x' };

/** The generated check as a function of a whole buffer. */
function compiled(pattern: RegExp): ((bytes: Buffer) => boolean) | undefined {
  const source = bytePatternSource(pattern, NAMES, 'return false;');
  if (source === undefined) return undefined;
  const check = new Function('b', 's', 'e', `let k = 0, x = 0;\n${source}\nreturn true;`) as (b: Buffer, s: number, e: number) => boolean;
  // Surround the column with bytes the pattern could match, so the bounds are what stop it.
  return (bytes) => {
    const padded = Buffer.concat([Buffer.from('9a.'), bytes, Buffer.from('1Z.')]);
    return check(padded, 3, 3 + bytes.length);
  };
}

const SUPPORTED = [
  '^\\d{14}$',
  '^[A-Z]\\d{4}$',
  '^\\d{8}$',
  '^\\d+\\.\\d+\\.\\d+$',
  '^[a-f0-9]{2,4}-x?[._]*$',
  '^v\\d{1,3}$',
  '^[-+]?\\d+$',
  '^[A-Za-z_][A-Za-z0-9_]*$',
  '^\\d{2,}Z$',
  '^$',
  '^a?b$',
];

// ASCII only: the encoder gives only ASCII columns to a byte pattern. Two alphabets, the second
// dense in digits and dots so that long matches happen too.
const columnText = fc.oneof(
  fc.array(fc.constantFrom(...'0123456789AZaz_-+.xv9Zfb'.split('')), { maxLength: 20 }),
  fc.array(fc.constantFrom('1', '2', '.', 'A', 'Z'), { maxLength: 20 }),
);

describe('byte patterns', () => {
  it('match exactly what the RegExp matches, for every supported pattern', () => {
    for (const source of SUPPORTED) {
      const pattern = new RegExp(source);
      const check = compiled(pattern);
      expect(check, source).toBeDefined();
      fc.assert(
        fc.property(columnText, (chars) => {
          const text = chars.join('');
          expect(check?.(Buffer.from(text)), `${source} on ${JSON.stringify(text)}`).toBe(pattern.test(text));
        }),
        { numRuns: 800 },
      );
    }
  });

  it('match the shapes the smart-car schemas use', () => {
    const reg = compiled(/^\d{14}$/);
    const car = compiled(/^[A-Z]\d{4}$/);
    const firmware = compiled(/^\d+\.\d+\.\d+$/);
    expect(reg?.(Buffer.from('20160101240000'))).toBe(true);
    expect(reg?.(Buffer.from('2016010124000'))).toBe(false);
    expect(reg?.(Buffer.from('201601012400000'))).toBe(false);
    expect(car?.(Buffer.from('K0001'))).toBe(true);
    expect(car?.(Buffer.from('k0001'))).toBe(false);
    expect(car?.(Buffer.from('KK001'))).toBe(false);
    expect(firmware?.(Buffer.from('3.12.0'))).toBe(true);
    expect(firmware?.(Buffer.from('3..0'))).toBe(false);
    expect(firmware?.(Buffer.from('3.1.'))).toBe(false);
  });

  it('answer undefined for what they cannot match without backtracking or a RegExp', () => {
    const unsupported = [
      '\\d{14}', // unanchored
      '^\\d{14}',
      '^(ab|cd)+$',
      '^a|b$',
      '^.+$',
      '^\\w+$',
      '^[^,]+$',
      '^\\d+\\d$', // greedy would need to give one back
      '^\\d*\\d{2}$',
      '^a+?$',
      '^a{2,1}$',
      '^é$',
      '^\\d+$\\',
    ];
    for (const source of unsupported) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(source);
      } catch {
        continue;
      }
      expect(bytePatternSource(pattern, NAMES, 'return false;'), source).toBeUndefined();
    }
    expect(bytePatternSource(/^\d+$/i, NAMES, 'return false;')).toBeUndefined();
  });

  it('byteMatcher answers as the RegExp on the latin1 text, whole-range and prefix patterns alike, any bytes', () => {
    const prefixes = ['^\\d{14}', '^[A-Z]\\d{4},', '^\\d+\\.', '^a?b', '^v\\d{1,3}', '^'];
    const bytes = fc.oneof(
      fc.array(fc.constantFrom(...'0123456789AZaz,.vb'.split('').map((c) => c.charCodeAt(0))), { maxLength: 24 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }),
    );
    for (const source of [...prefixes, ...SUPPORTED]) {
      const pattern = new RegExp(source);
      const match = byteMatcher(pattern);
      expect(match, source).toBeDefined();
      fc.assert(
        fc.property(bytes, (list) => {
          // Inside a larger buffer: the range bounds stop the match, not the buffer's.
          const buf = Buffer.from([57, 65, ...list, 57, 44]);
          const text = Buffer.from(list).toString('latin1');
          expect(match?.(buf, 2, 2 + list.length), `${source} on ${JSON.stringify(text)}`).toBe(pattern.test(text));
        }),
        { numRuns: 600 },
      );
    }
    expect(byteMatcher(/\d{14}/)).toBeUndefined();
    expect(byteMatcher(/^\d+\d/)).toBeUndefined();
    expect(byteMatcher(/^\d{14}/m)).toBeUndefined();
  });
});

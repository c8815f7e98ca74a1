import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/sources/line-splitter.js';

describe('LineSplitter', () => {
  it('keeps exact byte offsets across chunk boundaries and strips CR', () => {
    const s = new LineSplitter({ startOffset: 100, maxLineBytes: 1000 });
    const out = [...s.push(Buffer.from('ab\r\nc')), ...s.push(Buffer.from('d\n\nxyz'))];
    expect(out.map((l) => [l.body.toString(), l.offset, l.end])).toEqual([
      ['ab', 100, 104],
      ['cd', 104, 107],
      ['', 107, 108],
    ]);
    expect(s.committedOffset).toBe(108);
    const tail = s.takePartial();
    expect([tail?.body.toString(), tail?.offset, tail?.end]).toEqual(['xyz', 108, 111]);
  });

  it('bounds memory for an oversized line and flags it; neighbours intact', () => {
    const s = new LineSplitter({ startOffset: 0, maxLineBytes: 1024, oversizePrefixBytes: 16 });
    const lines = [...s.push(Buffer.from('before\n'))];
    for (let i = 0; i < 500; i++) lines.push(...s.push(Buffer.alloc(10_000, 0x61)));
    lines.push(...s.push(Buffer.from('\nafter\n')));
    expect(lines.map((l) => [l.body.length, l.oversize ?? false])).toEqual([
      [6, false],
      [16, true],
      [5, false],
    ]);
    expect(lines[1]?.length).toBe(5_000_000);
    expect(lines[2]?.offset).toBe(7 + 5_000_001);
  });

  it('property: any chunking of any text yields the same lines and offsets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'é') }), { maxLength: 20 }),
        fc.array(fc.nat(50)),
        (parts, cuts) => {
          const text = Buffer.from(parts.join(''));
          const whole = new LineSplitter({ startOffset: 0, maxLineBytes: 1 << 20 }).push(text);
          const s = new LineSplitter({ startOffset: 0, maxLineBytes: 1 << 20 });
          const pieces = [];
          let pos = 0;
          for (const c of cuts) {
            if (pos >= text.length) break;
            pieces.push(...s.push(text.subarray(pos, pos + c)));
            pos += c;
          }
          pieces.push(...s.push(text.subarray(pos)));
          expect(pieces.map((l) => [l.body.toString('hex'), l.offset, l.end])).toEqual(
            whole.map((l) => [l.body.toString('hex'), l.offset, l.end]),
          );
        },
      ),
    );
  });
});

describe('LineSplitter against a reference splitter', () => {
  /** Split the whole text at once, the obvious way. */
  function reference(text: Buffer, max: number, prefix: number) {
    const out: { body: string; offset: number; end: number; oversize: boolean }[] = [];
    let start = 0;
    for (let nl = text.indexOf(10); nl !== -1; nl = text.indexOf(10, start)) {
      const length = nl - start;
      const oversize = length > max;
      let body = text.subarray(start, oversize ? start + prefix : nl);
      if (!oversize && body.length > 0 && body[body.length - 1] === 13) body = body.subarray(0, -1);
      out.push({ body: body.toString('hex'), offset: start, end: nl + 1, oversize });
      start = nl + 1;
    }
    return out;
  }

  it('property: CR, empty and oversize lines in any chunking match the reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\r', '\n', '\n', 'é') }), { maxLength: 30 }),
        fc.array(fc.nat(12)),
        fc.integer({ min: 1, max: 8 }),
        (parts, cuts, max) => {
          const text = Buffer.from(parts.join(''));
          const prefix = Math.min(3, max);
          const s = new LineSplitter({ startOffset: 0, maxLineBytes: max, oversizePrefixBytes: prefix });
          const lines = [];
          let pos = 0;
          for (const c of cuts) {
            if (pos >= text.length) break;
            lines.push(...s.push(text.subarray(pos, pos + c)));
            pos += c;
          }
          lines.push(...s.push(text.subarray(pos)));
          expect(lines.map((l) => ({ body: l.body.toString('hex'), offset: l.offset, end: l.end, oversize: l.oversize === true }))).toEqual(
            reference(text, max, prefix),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('LineSplitter oversize across chunks', () => {
  it('keeps only the prefix even when the line crossed the bound over several chunks', () => {
    const s = new LineSplitter({ startOffset: 0, maxLineBytes: 1000, oversizePrefixBytes: 10 });
    const out = [];
    for (let i = 0; i < 30; i++) out.push(...s.push(Buffer.alloc(100, 0x62)));
    out.push(...s.push(Buffer.from('\n')));
    expect(out).toHaveLength(1);
    expect(out[0]?.body.toString()).toBe('b'.repeat(10));
    expect(out[0]?.length).toBe(3000);
    expect(out[0]?.oversize).toBe(true);
  });
});

describe('LineSplitter.recycle', () => {
  it("reuses recycled line objects for later lines, with the new lines' values", () => {
    const s = new LineSplitter({ startOffset: 0, maxLineBytes: 100 });
    const first = s.push(Buffer.from('aa\nbbb\n'));
    const firstObjects = [...first];
    s.recycle(first);
    const second = s.push(Buffer.from('c\r\ndddd\npartial'));
    expect(second.map((l) => [l.body.toString(), l.offset, l.end, l.length, l.oversize ?? false])).toEqual([
      ['c', 7, 10, 2, false],
      ['dddd', 10, 15, 4, false],
    ]);
    expect(second.every((l) => firstObjects.includes(l))).toBe(true);
    // A long line assembled from pieces is a new object, and the oversize flag never leaks into a reused one.
    const long = new LineSplitter({ startOffset: 0, maxLineBytes: 4, oversizePrefixBytes: 2 });
    const [big] = long.push(Buffer.from('xxxxxxxx\n'));
    expect(big?.oversize).toBe(true);
    long.recycle(big ? [big] : []);
    const [small] = long.push(Buffer.from('ok\n'));
    expect([small?.body.toString(), small?.oversize]).toEqual(['ok', undefined]);
  });
});

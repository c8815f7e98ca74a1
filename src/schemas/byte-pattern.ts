/**
 * Compiles simple anchored patterns (`^\d{14}$`, `^[A-Z]\d{4}$`, `^\d+\.\d+\.\d+$`) into
 * JavaScript source that matches ASCII bytes by char code, for the direct CSV → Avro encoder
 * (csv-avro-encoder.ts), which must not build a string per column just to run a regex.
 *
 * Supported: `^`, then a sequence of atoms, then `$`, no flags. An atom is `\d`, a literal
 * (letter, digit, or an escaped punctuation character), or a class `[...]` of literals, ranges
 * and `\d` (not negated); each optionally followed by `{n}`, `{n,}`, `{n,m}`, `+`, `*` or `?`
 * (greedy only). A variable repetition must not share a character with the atoms after it up
 * to the first one that must occur: then greedy matching without backtracking is exactly what
 * the regex does. Anything else (alternation, groups, `.`, other
 * escapes, lazy quantifiers, flags) answers undefined and the caller tests the RegExp itself.
 *
 * `byteMatcher` compiles the same patterns into a function over a byte range, for the
 * `regex_filter` interceptor; it also takes start-anchored patterns without `$` (`^\d{14}`),
 * which then match a prefix (Java's `find()` of a `^` pattern). Same exactness rule.
 *
 * Invariants: the generated source contains only numbers and the identifiers chosen by the
 * caller (no text from the pattern), so it cannot be injected into. It assumes the column bytes
 * are ASCII (the encoder checks every line for that first), so a byte is its char code.
 */

/** Inclusive char-code ranges an atom matches. */
type CharSet = readonly (readonly [number, number])[];

interface Atom {
  readonly set: CharSet;
  readonly min: number;
  readonly max: number; // Infinity: unbounded
}

const DIGITS: readonly [number, number] = [48, 57];
const SPECIAL = new Set([...'.*+?()[]{}|^$\\/']);

/**
 * Source of statements checking `buf[start, end)` against `pattern`, executing `onMismatch`
 * (e.g. `return -1;`) when it does not match; `pos` and `mark` are scratch variables the caller
 * declared. Undefined when the pattern is not one this compiler supports.
 */
export function bytePatternSource(
  pattern: RegExp,
  names: { readonly buf: string; readonly start: string; readonly end: string; readonly pos: string; readonly mark: string },
  onMismatch: string,
  anchoredEnd = true,
): string | undefined {
  const atoms = pattern.flags === '' ? parseAtoms(pattern.source, anchoredEnd) : undefined;
  if (atoms === undefined || !greedyIsExact(atoms)) return undefined;
  const { buf, start, end, pos, mark } = names;
  const out = [`${pos} = ${start};`];
  for (const atom of atoms) {
    const test = setTest(atom.set, `${buf}[${pos}]`);
    if (atom.min === atom.max) {
      out.push(
        `if (${end} - ${pos} < ${atom.min}) ${onMismatch}`,
        `for (${mark} = ${pos} + ${atom.min}; ${pos} < ${mark}; ${pos}++) if (!(${test})) ${onMismatch}`,
      );
    } else {
      const limit = atom.max === Number.POSITIVE_INFINITY ? end : `Math.min(${end}, ${pos} + ${atom.max})`;
      out.push(
        `${mark} = ${pos};`,
        `for (const limit = ${limit}; ${pos} < limit && (${test}); ) ${pos}++;`,
        `if (${pos} - ${mark} < ${atom.min}) ${onMismatch}`,
      );
    }
  }
  if (anchoredEnd) out.push(`if (${pos} !== ${end}) ${onMismatch}`);
  return out.join('\n');
}

/** Whether `buf[start, end)` matches: what the pattern's RegExp answers on that range read as latin1. */
export type ByteMatcher = (buf: Uint8Array, start: number, end: number) => boolean;

/**
 * A matcher for `pattern` when it is one `bytePatternSource` supports, anchored at both ends
 * (`^…$`: the whole range) or only at the start (`^…`: a prefix of the range); else undefined.
 */
export function byteMatcher(pattern: RegExp): ByteMatcher | undefined {
  const source = pattern.source;
  const anchoredEnd = source.endsWith('$') && !source.endsWith('\\$');
  const names = { buf: 'b', start: 's', end: 'e', pos: 'p', mark: 'm' };
  const body = bytePatternSource(pattern, names, 'return false;', anchoredEnd);
  if (body === undefined) return undefined;
  return new Function('b', 's', 'e', `let p = 0, m = 0;\n${body}\nreturn true;`) as ByteMatcher;
}

/**
 * The length of every match of `pattern` when it is supported and fixed-length (every atom a
 * fixed count) and none of its characters is `avoid` (the CSV delimiter), so a column matching
 * it ends exactly that many bytes after its start; else undefined.
 */
export function fixedPatternLength(pattern: RegExp, avoid: number): number | undefined {
  const atoms = pattern.flags === '' ? parseAtoms(pattern.source, true) : undefined;
  if (atoms === undefined || atoms.some((a) => a.min !== a.max || overlaps(a.set, [[avoid, avoid]]))) return undefined;
  return atoms.reduce((length, a) => length + a.min, 0);
}

function setTest(set: CharSet, code: string): string {
  return set.map(([lo, hi]) => (lo === hi ? `${code} === ${lo}` : `(${code} >= ${lo} && ${code} <= ${hi})`)).join(' || ');
}

/**
 * Greedy matching is exact when no character a variable repetition could take could also be
 * the next one consumed by what follows: every atom up to and including the first one that must
 * occur at least once has a disjoint set. (Otherwise giving characters back could matter.)
 */
function greedyIsExact(atoms: readonly Atom[]): boolean {
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i] as Atom;
    if (atom.min === atom.max) continue;
    for (let j = i + 1; j < atoms.length; j++) {
      const next = atoms[j] as Atom;
      if (overlaps(atom.set, next.set)) return false;
      if (next.min >= 1) break;
    }
  }
  return true;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some(([alo, ahi]) => b.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

function parseAtoms(source: string, anchoredEnd: boolean): Atom[] | undefined {
  if (!source.startsWith('^')) return undefined;
  const endsWithAnchor = source.endsWith('$') && !source.endsWith('\\$');
  if (endsWithAnchor !== anchoredEnd) return undefined;
  const body = source.slice(1, anchoredEnd ? -1 : source.length);
  const atoms: Atom[] = [];
  let i = 0;
  while (i < body.length) {
    const parsed = parseSet(body, i);
    if (parsed === undefined) return undefined;
    const quantified = parseQuantifier(body, parsed.next);
    if (quantified === undefined) return undefined;
    atoms.push({ set: parsed.set, min: quantified.min, max: quantified.max });
    i = quantified.next;
  }
  return atoms;
}

function parseSet(body: string, i: number): { set: CharSet; next: number } | undefined {
  const c = body[i] as string;
  if (c === '\\') {
    const escaped = escapeSet(body[i + 1]);
    return escaped && { set: escaped, next: i + 2 };
  }
  if (c === '[') return parseClass(body, i + 1);
  if (SPECIAL.has(c) || !isAscii(c)) return undefined;
  return { set: [[c.charCodeAt(0), c.charCodeAt(0)]], next: i + 1 };
}

/** `\d` or an escaped punctuation character; other escapes (\w, \s, \b, \u…) are not supported. */
function escapeSet(c: string | undefined): CharSet | undefined {
  if (c === undefined) return undefined;
  if (c === 'd') return [DIGITS];
  if (isAscii(c) && /[^A-Za-z0-9]/.test(c) && c.charCodeAt(0) > 32) return [[c.charCodeAt(0), c.charCodeAt(0)]];
  return undefined;
}

function parseClass(body: string, i: number): { set: CharSet; next: number } | undefined {
  if (body[i] === '^' || body[i] === ']') return undefined;
  const set: [number, number][] = [];
  while (i < body.length && body[i] !== ']') {
    let lo: number;
    if (body[i] === '\\') {
      const escaped = escapeSet(body[i + 1]);
      if (escaped === undefined) return undefined;
      i += 2;
      if (escaped[0] === DIGITS) {
        set.push([...DIGITS]);
        continue;
      }
      lo = (escaped[0] as [number, number])[0];
    } else {
      const c = body[i] as string;
      if (!isAscii(c) || c === '[') return undefined;
      lo = c.charCodeAt(0);
      i++;
    }
    if (body[i] === '-' && body[i + 1] !== ']' && i + 1 < body.length) {
      const h = body[i + 1] as string;
      if (h === '\\' || h === '[' || !isAscii(h) || h.charCodeAt(0) < lo) return undefined;
      set.push([lo, h.charCodeAt(0)]);
      i += 2;
    } else set.push([lo, lo]);
  }
  if (body[i] !== ']' || set.length === 0) return undefined;
  return { set, next: i + 1 };
}

function parseQuantifier(body: string, i: number): { min: number; max: number; next: number } | undefined {
  const c = body[i];
  let q: { min: number; max: number; next: number };
  if (c === '+') q = { min: 1, max: Number.POSITIVE_INFINITY, next: i + 1 };
  else if (c === '*') q = { min: 0, max: Number.POSITIVE_INFINITY, next: i + 1 };
  else if (c === '?') q = { min: 0, max: 1, next: i + 1 };
  else if (c === '{') {
    const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(body.slice(i));
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    if (max < min) return undefined;
    q = { min, max, next: i + m[0].length };
  } else return { min: 1, max: 1, next: i };
  // A lazy quantifier (`+?`) or a second quantifier changes the meaning: leave it to the RegExp.
  const after = body[q.next];
  if (after === '?' || after === '+' || after === '*' || after === '{') return undefined;
  return q;
}

function isAscii(c: string): boolean {
  return c.length === 1 && c.charCodeAt(0) < 128;
}

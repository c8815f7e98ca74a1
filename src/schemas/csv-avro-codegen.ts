/**
 * Source generation for the direct CSV → Avro encoder (csv-avro-encoder.ts): the statements
 * that check and convert one column, and those that write one value in Avro binary.
 *
 * Generated code works on `b` (the line's bytes, ASCII), writes to `O` at `p`, and keeps per
 * writer field i: `s_i`/`e_i` (column bytes), `v_i` (number, enum index or converted value) and
 * `z_i` (null). Scratch variables `k, x, d, m, w, g, neg` are declared by the caller. Checks
 * mirror the compiled fast path (csv-fast-path.ts) exactly, with the same digit limits, so a
 * column passes here only if the parser would accept it with the same value; on any failed
 * check the code runs `fail` (a return statement).
 *
 * Two ways to find a column:
 * - split: `s_i = S[i]; e_i = E[i]` from offsets the caller's split loop recorded;
 * - fused: the column starts at `q` and is found while it is checked (digits parsed up to the
 *   delimiter, a fixed-length pattern checked in place), so each byte is read about once; then
 *   `more` says whether a delimiter followed and `q` moves past it.
 *
 * Injection-safe: only numbers, array indexes and fixed identifiers go into the source.
 */
import type avro from 'avsc';
import { bytePatternSource, fixedPatternLength } from './byte-pattern.js';
import type { ColumnField } from './field-converters.js';

/** Digits of an int / long that cannot leave the int range / the exact long range (as the fast path). */
export const SAFE_DIGITS = { int: 9, long: 15 } as const;
/** Enums with more symbols are looked up in a Map rather than by a chain of byte comparisons. */
const INLINE_SYMBOLS = 8;
/** Strings longer than this are copied with one native call rather than a byte loop. */
const COPY_LOOP_MAX = 48;

/** Values the generated code reaches by index: regexes and symbol maps it could not inline. */
export interface CodegenTables {
  readonly patterns: (RegExp | undefined)[];
  readonly symbolMaps: (Map<string, number> | undefined)[];
}

/** Statements checking and converting column i, whose bytes are already s_i/e_i. */
export function convertCode(field: ColumnField, i: number, type: avro.Type, tables: CodegenTables, fail: string): string[] {
  const { kind, nullable } = field.shape;
  const convert: string[] = [];
  if (kind === 'int' || kind === 'long') {
    convert.push(
      `k = s${i}; neg = b[k] === 45; if (neg) k++;`,
      `if (k >= e${i} || e${i} - k > ${SAFE_DIGITS[kind]}) ${fail}`,
      'x = 0;',
      `for (; k < e${i}; k++) { d = b[k] - 48; if (d < 0 || d > 9) ${fail} x = x * 10 + d; }`,
      `v${i} = neg ? -x : x;`,
      ...boundsCode(field, i, fail),
    );
  } else if (kind === 'string' || kind === 'enum') {
    convert.push(...textChecks(field, i, type, tables, fail));
  } else {
    // float, double, boolean: the field's converter (its checks and values are the parser's).
    convert.push(`w = C[${i}](L(b, s${i}, e${i}), 0, e${i} - s${i}, F);`, `if (w === INV) ${fail}`, `v${i} = w;`);
  }
  if (nullable) return [`if (s${i} === e${i}) z${i} = true; else {`, ...convert, '}'];
  return convert;
}

/**
 * Statements finding column i from `q` (up to `end` or the delimiter `delim`) and checking it;
 * they leave `more`/`q` for the next column.
 */
export function fusedColumnCode(
  field: ColumnField,
  i: number,
  type: avro.Type,
  tables: CodegenTables,
  delim: number,
  fail: string,
): string[] {
  const { kind, nullable, pattern } = field.shape;
  const empty = `q === end || b[q] === ${delim}`;
  const out = [`s${i} = q;`];
  const fixed = pattern && (kind === 'string' || kind === 'enum') ? fixedPatternLength(pattern, delim) : undefined;
  let body: string[];
  if (kind === 'int' || kind === 'long') {
    body = [
      `k = q; neg = k < end && b[k] === 45; if (neg) k++;`,
      'x = 0; g = k;',
      `for (; k < end; k++) { d = b[k]; if (d === ${delim}) break; d -= 48; if (d < 0 || d > 9) ${fail} x = x * 10 + d; }`,
      `e${i} = k;`,
      `if (k === g || k - g > ${SAFE_DIGITS[kind]}) ${fail}`,
      `v${i} = neg ? -x : x;`,
      ...boundsCode(field, i, fail),
    ];
  } else if (fixed !== undefined) {
    // The pattern cannot match the delimiter, so a matching column ends exactly `fixed` bytes on.
    body = [
      `e${i} = q + ${fixed};`,
      `if (e${i} > end || (e${i} < end && b[e${i}] !== ${delim})) ${fail}`,
      ...textChecks(field, i, type, tables, fail),
    ];
  } else {
    out.push(`for (k = q; k < end && b[k] !== ${delim}; k++);`, `e${i} = k;`);
    body = convertCode({ ...field, shape: { ...field.shape, nullable: false } }, i, type, tables, fail);
    if (nullable) return [...out, `if (s${i} === e${i}) z${i} = true; else {`, ...body, '}', `more = e${i} < end; q = e${i} + 1;`];
    return [...out, ...body, `more = e${i} < end; q = e${i} + 1;`];
  }
  if (nullable) out.push(`if (${empty}) { z${i} = true; e${i} = q; } else {`, ...body, '}');
  else out.push(...body);
  out.push(`more = e${i} < end; q = e${i} + 1;`);
  return out;
}

function boundsCode(field: ColumnField, i: number, fail: string): string[] {
  const { min, max } = field.shape;
  const out: string[] = [];
  if (min !== undefined) out.push(`if (v${i} < ${finite(min)}) ${fail}`);
  if (max !== undefined) out.push(`if (v${i} > ${finite(max)}) ${fail}`);
  return out;
}

/** Pattern (inlined when byte-pattern.ts can, else the RegExp) then, for an enum, its symbol index. */
function textChecks(field: ColumnField, i: number, type: avro.Type, tables: CodegenTables, fail: string): string[] {
  const out: string[] = [];
  const { pattern, kind } = field.shape;
  if (pattern) {
    const inline = bytePatternSource(pattern, { buf: 'b', start: `s${i}`, end: `e${i}`, pos: 'k', mark: 'x' }, fail);
    if (inline !== undefined) out.push(inline);
    else {
      tables.patterns[i] = pattern;
      out.push(`if (!P[${i}].test(L(b, s${i}, e${i}))) ${fail}`);
    }
  }
  if (kind === 'enum') out.push(...symbolCode((innerType(type) as avro.types.EnumType).symbols, i, tables, fail));
  return out;
}

/** Sets v_i to the index of the symbol in column i, or fails. */
function symbolCode(symbols: readonly string[], i: number, tables: CodegenTables, fail: string): string[] {
  if (symbols.length > INLINE_SYMBOLS) {
    tables.symbolMaps[i] = new Map(symbols.map((sym, index) => [sym, index]));
    return [`w = M[${i}].get(L(b, s${i}, e${i})); if (w === undefined) ${fail} v${i} = w;`];
  }
  // Avro names are [A-Za-z_][A-Za-z0-9_]*: ASCII, so one byte per character.
  const tests = symbols.map((sym, index) => {
    const bytes = [...sym].map((c, at) => `b[s${i} + ${at}] === ${c.charCodeAt(0)}`);
    return `if (x === ${sym.length} && ${bytes.join(' && ')}) v${i} = ${index};`;
  });
  return [`x = e${i} - s${i};`, tests.join(' else '), `else ${fail}`];
}

/** Statements writing the value of column j (already checked) in the encoding of `type`. */
export function emitCode(field: ColumnField, j: number, type: avro.Type): string[] {
  const { kind, nullable } = field.shape;
  const inner = innerType(type);
  const out: string[] = [];
  switch (kind) {
    case 'int':
    case 'long': {
      // The digit limits and the field's bounds bound the value, so smaller code often does.
      const limit = 10 ** SAFE_DIGITS[kind] - 1;
      out.push(...varintCode(`v${j}`, Math.max(field.shape.min ?? -limit, -limit), Math.min(field.shape.max ?? limit, limit)));
      break;
    }
    case 'string':
      out.push(
        ...varintCode(`e${j} - s${j}`, 0, Number.POSITIVE_INFINITY),
        `if (e${j} - s${j} > ${COPY_LOOP_MAX}) p += b.copy(O, p, s${j}, e${j});`,
        `else for (k = s${j}; k < e${j}; k++) O[p++] = b[k];`,
      );
      break;
    case 'enum':
      out.push(...varintCode(`v${j}`, 0, (inner as avro.types.EnumType).symbols.length - 1));
      break;
    default:
      if (inner.typeName === 'double') out.push(`p = O.writeDoubleLE(v${j}, p);`);
      else if (inner.typeName === 'float') out.push(`p = O.writeFloatLE(v${j}, p);`);
      else if (inner.typeName === 'boolean') out.push(`O[p++] = v${j} ? 1 : 0;`);
      else throw new Error(`${field.name}: no direct encoding for Avro type ${inner.typeName}`);
  }
  if (!nullable) return out;
  const branches = (type as avro.types.UnwrappedUnionType).types;
  const nullIndex = branches.findIndex((t) => t.typeName === 'null');
  // Union branch indexes are 0 or 1 here (null and one type): one zig-zag byte each.
  return [`if (z${j}) O[p++] = ${nullIndex * 2}; else {`, `O[p++] = ${(1 - nullIndex) * 2};`, ...out, '}'];
}

/**
 * avsc's Tap#writeLong for a value known to lie in [lo, hi]: zig-zag varint, integer arithmetic
 * while it cannot overflow (always, when the bounds say so), one byte when the bounds allow.
 */
function varintCode(value: string, lo: number, hi: number): string[] {
  if (lo >= -1073741824 && hi < 1073741824) {
    const zigzag = lo >= 0 ? [`m = (${value}) << 1;`] : [`x = ${value};`, 'm = x >= 0 ? x << 1 : (~x << 1) | 1;'];
    const largest = Math.max(2 * Math.max(hi, 0), lo < 0 ? -2 * lo - 1 : 0);
    if (largest < 128) return [...zigzag, 'O[p++] = m;'];
    return [...zigzag, 'while (m > 127) { O[p++] = (m & 127) | 128; m >>>= 7; }', 'O[p++] = m;'];
  }
  return [
    `x = ${value};`,
    'if (x >= -1073741824 && x < 1073741824) {',
    '  m = x >= 0 ? x << 1 : (~x << 1) | 1;',
    '  while (m > 127) { O[p++] = (m & 127) | 128; m >>>= 7; }',
    '  O[p++] = m;',
    '} else {',
    '  x = x >= 0 ? x * 2 : -x * 2 - 1;',
    '  while (x >= 128) { O[p++] = (x % 128) | 128; x = Math.floor(x / 128); }',
    '  O[p++] = x;',
    '}',
  ];
}

/** Statements writing fixed bytes (a default's encoding); longer ones are passed in `constants`. */
export function constantCode(bytes: Uint8Array, constants: Uint8Array[]): string[] {
  if (bytes.length <= 8) return [...bytes].map((byte) => `O[p++] = ${byte};`);
  constants.push(bytes);
  return [`O.set(K[${constants.length - 1}], p); p += ${bytes.length};`];
}

export function innerType(type: avro.Type): avro.Type {
  if (type.typeName !== 'union:unwrapped') return type;
  return (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null') as avro.Type;
}

function finite(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`constraint bound ${n} is not a finite number`);
  return String(n);
}

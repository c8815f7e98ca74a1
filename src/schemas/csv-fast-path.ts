/**
 * A compiled fast path for the CSV parser: one generated function per schema that converts the
 * columns of a well-formed line straight into the record, with every field's conversion and
 * checks inlined (ints parsed from char codes, bounds as constants, one object literal in schema
 * order, so every record shares one hidden class). Calling 14 different converter closures
 * through one call site is megamorphic and cannot be inlined; the generated code has no such
 * call for int, long, string and enum fields.
 *
 * Invariants:
 * - Conservative: the fast path answers a record only when the generic converters
 *   (field-converters.ts) would accept the line and give the same values; on anything unusual
 *   (wrong column count, a failed check, an int of 10 or more digits, a long of 16 or more) it
 *   answers `undefined` and the caller runs the generic path, which also writes the reason.
 *   Reasons therefore come from one place only.
 * - Other kinds (float, double, boolean) call the field's own converter.
 * - Injection-safe: the generated source holds only JSON-quoted field names, numbers checked to
 *   be finite and array indexes; regexes, symbol sets, defaults and converters are passed in.
 */
import { type ColumnField, type ConversionFailure, INVALID } from './field-converters.js';

/** Answers the record for the line `text` whose column i is `text[starts[i], ends[i])`, or undefined. */
export type FastColumnParser = (text: string, starts: Int32Array, ends: Int32Array, columns: number) => Record<string, unknown> | undefined;

/** Digits of an int / long that cannot leave the int range / the exact long range whatever they are. */
const SAFE_DIGITS = { int: 9, long: 15 } as const;

export function compileFastPath(fields: readonly ColumnField[], required: number): FastColumnParser {
  const total = fields.length;
  const patterns = fields.map((f) => f.shape.pattern);
  const symbols = fields.map((f) => f.shape.symbols);
  const defaults = fields.map((f) => f.defaultValue);
  const converters = fields.map((f) => f.convert);
  const failure: ConversionFailure = { reason: '' };
  const lines: string[] = [`if (n < ${required} || n > ${total}) return undefined;`, 'let s = 0, e = 0, k = 0, x = 0, d = 0, neg = false;'];
  fields.forEach((field, i) => {
    lines.push(`let v${i};`);
    const body = fieldCode(field, i);
    if (i >= required) lines.push(`if (n > ${i}) {`, ...body, `} else v${i} = D[${i}];`);
    else lines.push(...body);
  });
  const props = fields.map((f, i) => `${JSON.stringify(f.name)}: v${i}`).join(', ');
  lines.push(`return { ${props} };`);
  const source = `return function fastColumns(t, S, E, n) {\n${lines.join('\n')}\n};`;
  const factory = new Function('P', 'Y', 'D', 'C', 'F', 'INV', source);
  return factory(patterns, symbols, defaults, converters, failure, INVALID) as FastColumnParser;
}

function fieldCode(field: ColumnField, i: number): string[] {
  const { kind, nullable, min, max, pattern } = field.shape;
  const out = [`s = S[${i}]; e = E[${i}];`];
  if (kind === 'other') {
    // The field's converter handles null, its checks and its own reasons.
    out.push(`v${i} = C[${i}](t, s, e, F);`, `if (v${i} === INV) return undefined;`);
    return out;
  }
  const convert: string[] = [];
  if (kind === 'int' || kind === 'long') {
    convert.push(
      'k = s; neg = t.charCodeAt(k) === 45; if (neg) k++;',
      `if (k >= e || e - k > ${SAFE_DIGITS[kind]}) return undefined;`,
      'x = 0;',
      'for (; k < e; k++) { d = t.charCodeAt(k) - 48; if (d < 0 || d > 9) return undefined; x = x * 10 + d; }',
      `v${i} = neg ? -x : x;`,
    );
    if (min !== undefined) convert.push(`if (v${i} < ${finite(min)}) return undefined;`);
    if (max !== undefined) convert.push(`if (v${i} > ${finite(max)}) return undefined;`);
  } else {
    convert.push(`v${i} = t.slice(s, e);`);
    if (pattern) convert.push(`if (!P[${i}].test(v${i})) return undefined;`);
    if (kind === 'enum') convert.push(`if (!Y[${i}].has(v${i})) return undefined;`);
  }
  if (nullable) return [...out, `if (s === e) v${i} = null; else {`, ...convert, '}'];
  return [...out, ...convert];
}

function finite(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`constraint bound ${n} is not a finite number`);
  return String(n);
}

/**
 * Per-field converters from CSV column text to Avro values, built once per schema.
 *
 * Invariants:
 * - A converter reads the column `text[start, end)` of the whole line and returns the converted
 *   value, or `INVALID` after writing the reason (prefixed with the field name) into the caller's
 *   `ConversionFailure` slot. The success path allocates nothing beyond the value itself: ints are
 *   parsed from char codes in place (no substring), no result objects, no closures per line.
 * - Conversions are strict: int/long accept only `-?digits` within their range (long: avsc's exact JS-number range), float/double a
 *   plain decimal or exponent number (no NaN/Infinity/hex), boolean `true|false`, enum a declared
 *   symbol. Constraints (rxflume.min/max/pattern, see constraints.ts) are checked after conversion;
 *   pattern against the column text.
 * - Nullable fields (`["null", T]` or `[T, "null"]`) turn an empty column into null.
 *
 * Failure modes: a schema field whose type a CSV column cannot carry (record, array, map, bytes,
 * fixed, a union of several non-null types) makes `buildColumnFields` throw, naming the field.
 */
import type avro from 'avsc';
import { type FieldConstraints, readFieldConstraints } from './constraints.js';

export const INVALID: unique symbol = Symbol('invalid');

export interface ConversionFailure {
  reason: string;
}

export type FieldConverter = (text: string, start: number, end: number, failure: ConversionFailure) => unknown;

/**
 * What a compiled fast path (csv-fast-path.ts) needs to know of a field: its kind and checks.
 * `other` kinds (float, double, boolean) are converted by calling `convert` from the fast path.
 */
export interface FieldShape {
  readonly kind: 'int' | 'long' | 'string' | 'enum' | 'other';
  /** `["null", T]`: an empty column is null. */
  readonly nullable: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** Enum symbols. */
  readonly symbols?: ReadonlySet<string>;
}

export interface ColumnField {
  readonly name: string;
  readonly convert: FieldConverter;
  readonly shape: FieldShape;
  /** Has a default, so a missing trailing column takes `defaultValue`. */
  readonly optional: boolean;
  readonly defaultValue: unknown;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const QUOTE_LIMIT = 80;

/** Quotes column text for a reason, cut so a garbage line cannot blow up a log or dead letter. */
export function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);
}

/** Builds the converters of a record type; `rawFields` is the `fields` array as written in the .avsc. */
export function buildColumnFields(recordType: avro.Type, rawFields: readonly Record<string, unknown>[]): ColumnField[] {
  const fields = (recordType as avro.types.RecordType).fields;
  if (!Array.isArray(fields)) throw new Error(`schema ${recordType.name ?? recordType.typeName} is not a record`);
  return fields.map((field, i) => {
    const raw = rawFields[i] ?? { name: field.name, type: null };
    const constraints = readFieldConstraints(raw);
    const defaultValue = field.defaultValue();
    return {
      name: field.name,
      convert: converterFor(field.name, field.type, constraints),
      shape: shapeOf(field.type, constraints),
      optional: defaultValue !== undefined,
      defaultValue,
    };
  });
}

function shapeOf(type: avro.Type, constraints: FieldConstraints): FieldShape {
  let nullable = false;
  let inner = type;
  if (type.typeName === 'union:unwrapped') {
    // converterFor has already refused any other union, so this is null and one type.
    nullable = true;
    inner = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null') as avro.Type;
  }
  const name = inner.typeName;
  const kind = name === 'int' || name === 'long' || name === 'string' || name === 'enum' ? name : 'other';
  const symbols = kind === 'enum' ? new Set((inner as avro.types.EnumType).symbols) : undefined;
  return { kind, nullable, ...constraints, ...(symbols ? { symbols } : {}) };
}

function converterFor(name: string, type: avro.Type, constraints: FieldConstraints): FieldConverter {
  if (type.typeName === 'union:unwrapped' || type.typeName === 'union:wrapped') {
    const branches = (type as avro.types.UnwrappedUnionType).types;
    const nonNull = branches.filter((t) => t.typeName !== 'null');
    if (nonNull.length !== 1 || branches.length !== 2 || type.typeName === 'union:wrapped') {
      throw new Error(`${name}: a CSV column can carry only a union of null and one type`);
    }
    const inner = converterFor(name, nonNull[0] as avro.Type, constraints);
    return (text, start, end, failure) => (start === end ? null : inner(text, start, end, failure));
  }
  const pattern = constraints.pattern;
  const base = baseConverter(name, type);
  const checked = pattern
    ? (text: string, start: number, end: number, failure: ConversionFailure): unknown => {
        const column = text.slice(start, end);
        if (!pattern.test(column)) return fail(failure, `${name}: ${quote(column)} does not match ${pattern.source}`);
        return base(text, start, end, failure);
      }
    : base;
  const { min, max } = constraints;
  if (min === undefined && max === undefined) return checked;
  return (text, start, end, failure) => {
    const value = checked(text, start, end, failure);
    if (value === INVALID) return INVALID;
    if (min !== undefined && (value as number) < min) {
      failure.reason = `${name}: ${value} is below the minimum ${min}`;
      return INVALID;
    }
    if (max !== undefined && (value as number) > max) {
      failure.reason = `${name}: ${value} is above the maximum ${max}`;
      return INVALID;
    }
    return value;
  };
}

function baseConverter(name: string, type: avro.Type): FieldConverter {
  switch (type.typeName) {
    case 'string':
      return (text, start, end) => text.slice(start, end);
    case 'int':
      return (text, start, end, failure) => {
        const n = parseInteger(text, start, end);
        if (n === INVALID) return fail(failure, `${name}: ${quote(text.slice(start, end))} is not an integer`);
        if (n < INT_MIN || n > INT_MAX) return fail(failure, `${name}: ${text.slice(start, end)} is outside the int range`);
        return n;
      };
    case 'long':
      return (text, start, end, failure) => {
        const n = parseInteger(text, start, end);
        if (n === INVALID) return fail(failure, `${name}: ${quote(text.slice(start, end))} is not an integer`);
        // avsc carries longs as JS numbers only while exact (|n| ≤ 2^53 − 2; its isValid refuses more).
        if (!type.isValid(n))
          return fail(failure, `${name}: ${text.slice(start, end)} is outside the long range carried (±9007199254740990)`);
        return n;
      };
    case 'float':
    case 'double':
      return (text, start, end, failure) => {
        const column = text.slice(start, end);
        if (!DECIMAL.test(column)) return fail(failure, `${name}: ${quote(column)} is not a number`);
        const n = Number(column);
        const representable = type.typeName === 'float' ? Number.isFinite(Math.fround(n)) : Number.isFinite(n);
        if (!representable) return fail(failure, `${name}: ${column} is outside the ${type.typeName} range`);
        return n;
      };
    case 'boolean':
      return (text, start, end, failure) => {
        const column = text.slice(start, end);
        if (column === 'true') return true;
        if (column === 'false') return false;
        return fail(failure, `${name}: ${quote(column)} is not true or false`);
      };
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols;
      const known = new Set(symbols);
      const list = symbols.join(', ');
      return (text, start, end, failure) => {
        const column = text.slice(start, end);
        return known.has(column) ? column : fail(failure, `${name}: ${quote(column)} is not one of ${list}`);
      };
    }
    default:
      throw new Error(`${name}: a CSV column cannot carry Avro type ${type.typeName}`);
  }
}

/** `-?digits` in text[start, end) as a number (exact up to 2^53), or INVALID; no substring made. */
function parseInteger(text: string, start: number, end: number): number | typeof INVALID {
  let i = start;
  const negative = text.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  if (i >= end) return INVALID;
  let n = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return INVALID;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function fail(failure: ConversionFailure, reason: string): typeof INVALID {
  failure.reason = reason;
  return INVALID;
}

/**
 * The column parser of one schema version: the columns of a split CSV line → a record, with the
 * compiled fast path (csv-fast-path.ts) first, the generic converters (field-converters.ts) for
 * anything unusual (they write every reason, naming the field), and avsc's `isValid` as the last
 * guard. Checks, in order: column count within [required, total] (`expected 13 or 14 columns,
 * got 5`), per-field conversion and rxflume.* constraints, then the guard.
 * "required" columns are those up to the last field without a default; missing trailing fields
 * with a default take it. Not reentrant: it reuses one values array (parsing is synchronous).
 */
import type avro from 'avsc';
import type { ParseResult } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import type { SchemaRef } from '../core/event.js';
import { compileFastPath } from './csv-fast-path.js';
import { buildColumnFields, type ColumnField, type ConversionFailure, type FieldConverter, INVALID } from './field-converters.js';

/** Converts the columns of one split line into a record of one schema version. */
export interface ColumnParser {
  readonly version: number | undefined;
  readonly required: number;
  readonly total: number;
  readonly type: avro.Type;
  /** The fields by column position, with their kinds and checks (the direct encoder compiles from them). */
  readonly fields: readonly ColumnField[];
  parseColumns(text: string, starts: Int32Array, ends: Int32Array, n: number): ParseResult;
}

/** The parser of one schema version's columns: fast path, generic converters, then avsc's guard. */
export function compileColumnParser(schemaRef: SchemaRef & { readonly version?: number }, fastPathOn = true): ColumnParser {
  const type = schemaRef.type as avro.Type;
  const rawFields = (schemaRef.schema as { fields?: Record<string, unknown>[] }).fields ?? [];
  const fields = buildColumnFields(type, rawFields);
  const names = fields.map((f) => f.name);
  const converters = fields.map((f) => f.convert);
  const defaults = fields.map((f) => f.defaultValue);
  const total = fields.length;
  let required = total;
  while (required > 0 && fields[required - 1]?.optional) required--;
  const expectedText =
    required === total
      ? `expected ${total} columns`
      : total - required === 1
        ? `expected ${required} or ${total} columns`
        : `expected ${required} to ${total} columns`;
  const failure: ConversionFailure = { reason: '' };
  const values: unknown[] = new Array(total).fill(null);
  const makeRecord = recordFactory(names);
  const fastPath = fastPathOn ? compileFastPath(fields, required) : () => undefined;
  let guardReason = '';
  const guard = {
    errorHook(path: string[], value: unknown, t: avro.Type): void {
      if (guardReason) return;
      guardReason = `${path.length ? path.join('.') : 'record'}: ${JSON.stringify(value) ?? 'undefined'} is not a valid ${t.typeName}`;
    },
  };

  function guarded(record: Record<string, unknown>): ParseResult {
    // Last guard; the hook (slower) runs only to explain a failure.
    if (!type.isValid(record)) {
      guardReason = '';
      type.isValid(record, guard);
      return { ok: false, code: ErrorCodes.VALIDATION_FAILED, reason: guardReason || 'record is not valid against its schema' };
    }
    return { ok: true, record };
  }

  return {
    version: schemaRef.version,
    required,
    total,
    type,
    fields,
    parseColumns(text, starts, ends, n) {
      const fast = fastPath(text, starts, ends, n);
      if (fast !== undefined) return guarded(fast);
      if (n < required || n > total) return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `${expectedText}, got ${n}` };
      for (let i = 0; i < total; i++) {
        if (i >= n) {
          values[i] = defaults[i];
          continue;
        }
        const value = (converters[i] as FieldConverter)(text, starts[i] as number, ends[i] as number, failure);
        if (value === INVALID) return { ok: false, code: ErrorCodes.VALIDATION_FAILED, reason: failure.reason };
        values[i] = value;
      }
      return guarded(makeRecord(values));
    },
  };
}

/**
 * A function building the record as one object literal with the fields in schema order, so
 * every record shares one hidden class (assigning keys in a loop goes through a megamorphic
 * keyed store, which measured about twice as slow). Names are Avro names (`[A-Za-z_][A-Za-z0-9_]*`,
 * checked by avsc), and are JSON-quoted besides, so the generated source cannot be injected into.
 */
function recordFactory(names: readonly string[]): (values: readonly unknown[]) => Record<string, unknown> {
  const props = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${props} };`) as (values: readonly unknown[]) => Record<string, unknown>;
}

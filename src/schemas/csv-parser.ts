/**
 * CSV line → Avro record, implementing RecordParser (src/core/component.ts).
 *
 * A line is the event body: UTF-8 text, columns split on one delimiter (no quoting, as the
 * smart-car logs have none), mapped to the record's fields by position.
 *
 * Order of checks (the first failure is the reason; the reason names the field):
 *   1. empty body                                   → RXF_PARSE_FAILED  `empty line`
 *   2. not valid UTF-8 (fatal TextDecoder)          → RXF_INVALID_UTF8  `… first invalid byte at offset N`
 *   3. column count outside [required, all fields]  → RXF_PARSE_FAILED  `expected 13 or 14 columns, got 5`
 *   4. per-field conversion and rxflume.* checks    → RXF_VALIDATION_FAILED `tire_fl: 140 is above the maximum 100`
 *   5. `type.isValid` with an error hook, last guard → RXF_VALIDATION_FAILED `<path>: <value> is not a valid <type>`
 * "required" columns are those up to the last field without a default; missing trailing fields
 * with a default take it (e.g. collect_date → null on a raw simulator line).
 *
 * Hot path (≈2 M lines/day/file): columns are located by one char-code scan into reused offset
 * arrays (no split array); a compiled fast path (csv-fast-path.ts) converts a well-formed line
 * with every check inlined (about twice as fast as calling the per-field converters) and hands
 * anything unusual to the generic converters, which also write every reason. A line allocates its
 * decoded string, its string column values, the record and the result object.
 * A parser is not reentrant (its offset arrays are shared), which `parse` being synchronous allows.
 *
 * `openBatchParser` (unless `worker: false`) starts a worker thread running this same parser on
 * whole batches (parse-worker.ts), answering records Avro-encoded: the main thread then neither
 * parses nor holds record objects (validate-batch.ts uses it).
 */
import type avro from 'avsc';
import type { ParseResult, RecordParser } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import type { SchemaRef } from '../core/event.js';
import { compileFastPath } from './csv-fast-path.js';
import { buildColumnFields, type ConversionFailure, type FieldConverter, INVALID } from './field-converters.js';
import { ParseWorkerClient } from './parse-worker-client.js';
import { firstInvalidUtf8Offset } from './utf8.js';

export interface CsvParserOptions {
  /** Column separator, one or more characters; default `,`. */
  readonly delimiter?: string;
  /** Offer `openBatchParser` (a worker thread parsing whole batches); default true. */
  readonly worker?: boolean;
  /** Use the compiled fast path (csv-fast-path.ts) before the generic converters; default true. */
  readonly fastPath?: boolean;
}

export function createCsvParser(schemaRef: SchemaRef, options: CsvParserOptions = {}): RecordParser {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length === 0) throw new Error('CSV delimiter must not be empty');
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

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const failure: ConversionFailure = { reason: '' };
  // Column boundaries of the current line: column i is text[starts[i], ends[i]). Reused across
  // lines (parse is synchronous), so splitting allocates nothing.
  const starts = new Int32Array(total + 1);
  const ends = new Int32Array(total + 1);
  // A one-character delimiter (the usual case) is found by a charCode scan, much cheaper than
  // String#indexOf called once per column.
  const singleChar = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  const values: unknown[] = new Array(total).fill(null);
  const makeRecord = recordFactory(names);
  const fastPath = options.fastPath === false ? () => undefined : compileFastPath(fields, required);
  let guardReason = '';
  const guard = {
    errorHook(path: string[], value: unknown, t: avro.Type): void {
      if (guardReason) return;
      guardReason = `${path.length ? path.join('.') : 'record'}: ${JSON.stringify(value) ?? 'undefined'} is not a valid ${t.typeName}`;
    },
  };

  return {
    schema: schemaRef,
    ...(options.worker === false ? {} : { openBatchParser: () => new ParseWorkerClient(schemaRef, delimiter) }),
    parse(body: Buffer): ParseResult {
      if (body.length === 0) return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: 'empty line' };
      let text: string;
      try {
        text = decoder.decode(body);
      } catch {
        const at = firstInvalidUtf8Offset(body);
        return { ok: false, code: ErrorCodes.INVALID_UTF8, reason: `line is not valid UTF-8: first invalid byte at offset ${at}` };
      }
      // Count columns first so a wrong count is reported before any field problem.
      const n = singleChar >= 0 ? splitOnChar(text, singleChar, starts, ends, total) : splitOnString(text, delimiter, starts, ends, total);
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

  function guarded(record: Record<string, unknown>): ParseResult {
    // Last guard; the hook (slower) runs only to explain a failure.
    if (!type.isValid(record)) {
      guardReason = '';
      type.isValid(record, guard);
      return { ok: false, code: ErrorCodes.VALIDATION_FAILED, reason: guardReason || 'record is not valid against its schema' };
    }
    return { ok: true, record };
  }
}

/**
 * Records column boundaries of `text` split on the character `code` into `starts`/`ends` (at most
 * `total + 1` entries are written); answers the column count.
 */
function splitOnChar(text: string, code: number, starts: Int32Array, ends: Int32Array, total: number): number {
  let n = 0;
  let from = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(i) !== code) continue;
    if (n <= total) {
      starts[n] = from;
      ends[n] = i;
    }
    n++;
    from = i + 1;
  }
  if (n <= total) {
    starts[n] = from;
    ends[n] = length;
  }
  return n + 1;
}

/** As splitOnChar, for a delimiter of several characters. */
function splitOnString(text: string, delimiter: string, starts: Int32Array, ends: Int32Array, total: number): number {
  let n = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf(delimiter, from);
    if (n <= total) {
      starts[n] = from;
      ends[n] = at === -1 ? text.length : at;
    }
    n++;
    if (at === -1) return n;
    from = at + delimiter.length;
  }
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

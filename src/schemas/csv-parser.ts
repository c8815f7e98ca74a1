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
 * with a default take it (e.g. collect_date → null on a raw simulator line). Steps 3-5 are one
 * schema version's column parser (csv-columns.ts).
 *
 * Versions: given a RegisteredSchema (which knows its earlier versions), a line is parsed by the
 * version its column count matches and the record resolved to the configured version (e.g. a v1
 * status line under CarStatus v2 gets odometer_km and firmware_version null): see
 * csv-versions.ts for the rule. A count no version accepts fails with the configured version's
 * message. Lines of the configured version pay nothing for this.
 *
 * Hot path (≈2 M lines/day/file): columns are located by one char-code scan into reused offset
 * arrays (no split array); a compiled fast path (csv-fast-path.ts) converts a well-formed line
 * with every check inlined (about twice as fast as calling the per-field converters) and hands
 * anything unusual to the generic converters, which also write every reason. A line allocates its
 * decoded string, its string column values, the record and the result object.
 * A parser is not reentrant (its offset arrays are shared), which `parse` being synchronous allows.
 *
 * `openBatchParser` (unless `worker: false`) starts a worker thread parsing whole batches
 * (parse-worker.ts, parse-batch.ts), answering records Avro-encoded: the main thread then neither
 * parses nor holds record objects (validate-batch.ts uses it). There an ordinary ASCII line goes
 * straight from bytes to Avro bytes (csv-avro-encoder.ts, byte-identical to encoding this
 * parser's record); every other line, and every failure reason, comes from this parser.
 */
import type { ParseResult, RecordParser } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { lineShapes, type VersionedSchemaRef } from './csv-versions.js';
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

export type { VersionedSchemaRef } from './csv-versions.js';

export function createCsvParser(schemaRef: VersionedSchemaRef, options: CsvParserOptions = {}): RecordParser {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length === 0) throw new Error('CSV delimiter must not be empty');
  const shapes = lineShapes(schemaRef, options.fastPath !== false);
  const capacity = shapes.maxColumns;

  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Column boundaries of the current line: column i is text[starts[i], ends[i]). Reused across
  // lines (parse is synchronous), so splitting allocates nothing.
  const starts = new Int32Array(capacity + 1);
  const ends = new Int32Array(capacity + 1);
  // A one-character delimiter (the usual case) is found by a charCode scan, much cheaper than
  // String#indexOf called once per column.
  const singleChar = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;

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
      const n =
        singleChar >= 0 ? splitOnChar(text, singleChar, starts, ends, capacity) : splitOnString(text, delimiter, starts, ends, capacity);
      const shape = shapes.byColumns[n];
      if (shape === undefined) return shapes.configured.parseColumns(text, starts, ends, n);
      const result = shape.parser.parseColumns(text, starts, ends, n);
      return shape.upgrade === undefined || !result.ok ? result : { ok: true, record: shape.upgrade(result.record) };
    },
  };
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

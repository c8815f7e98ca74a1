/**
 * The direct CSV → Avro encoder of the parse worker: turns the bytes of an ordinary line straight
 * into the Avro binary encoding of its record under the configured schema version, without
 * decoding the line to a string, building a record object or calling avsc. Generated functions
 * per line shape (csv-versions.ts: the configured version and each earlier version it can read)
 * read the columns by char code, run the same checks as the compiled fast path
 * (csv-fast-path.ts), and write zig-zag varints from the digits, length-prefixed string bytes,
 * union branch and enum indexes, and the pre-encoded defaults of absent or added fields
 * (csv-avro-codegen.ts writes the statements).
 *
 * Two entry points:
 * - `encode`: splits the line (checking it is ASCII), picks the shape by column count exactly
 *   as the parser does, and runs that shape's encoder.
 * - `encodeAscii`, for a line the caller knows is ASCII (the worker checks a whole batch with
 *   one native call): first the shape that took the previous line, finding its columns while
 *   checking them (one read per byte); it must end with a column count that picks that same
 *   shape. On any miss it runs `encode`, so the answer is always `encode`'s.
 *
 * Invariants:
 * - Conservative, like the fast path: it answers bytes only for a line the parser would accept,
 *   and exactly the bytes `type.encode(parser.parse(line).record)` gives (the differential tests
 *   hold it to that). On anything unusual — a non-ASCII byte, an empty line, a column count no
 *   version takes, any failed check, an int of 10 or more digits, a long of 16 or more, a type
 *   promotion between versions — it answers -1 and the caller runs the parser, which stays the
 *   single source of failure codes and reasons.
 * - ASCII only: a line with a byte ≥ 0x80 is left to the parser (it owns UTF-8 validation and
 *   its reasons), so here a byte is its char code and string bytes are copied as they are.
 * - The caller guarantees room: `out` has at least `(end - start) + slack` bytes from `pos`.
 * - Not reentrant (shared column-offset arrays); the worker calls it synchronously.
 * - Injection-safe: generated source holds numbers, array indexes and fixed identifiers only;
 *   patterns, symbols, converters and default bytes are passed in.
 */
import type avro from 'avsc';
import { type CodegenTables, constantCode, convertCode, emitCode, fusedColumnCode } from './csv-avro-codegen.js';
import type { LineShapes } from './csv-versions.js';
import { type ColumnField, type ConversionFailure, INVALID } from './field-converters.js';

export interface CsvAvroEncoder {
  /** Bytes beyond the line's own length one record may take (the caller keeps that much room). */
  readonly slack: number;
  /** Encodes the line `buf[start, end)` at `out[pos]`; answers the position after it, or -1. */
  encode(buf: Buffer, start: number, end: number, out: Buffer, pos: number): number;
  /** As `encode` (same answer) for a line known to be ASCII, faster. */
  encodeAscii(buf: Buffer, start: number, end: number, out: Buffer, pos: number): number;
  /** Lines `encodeAscii` answered in one pass, without `encode` (tests and diagnosis). */
  readonly onePassAnswers: number;
}

type SplitEncoder = (b: Buffer, S: Int32Array, E: Int32Array, n: number, O: Buffer, p: number) => number;
/** Answers -2 when it cannot tell (wrong shape for the line, or a failed check): run `encode`. */
type FusedEncoder = (b: Buffer, q: number, end: number, O: Buffer, p: number) => number;

/** Delimiters that can occur inside a number, symbol or pattern class: no fused column finding. */
const WORD_CHARS = /[A-Za-z0-9_.+-]/;

interface RecordTypeLike {
  readonly fields: readonly {
    readonly name: string;
    readonly type: avro.Type;
    readonly aliases: readonly string[];
    defaultValue(): unknown;
  }[];
}

/**
 * The encoder for `shapes` (from `lineShapes`), or undefined when the delimiter is not one ASCII
 * character (then every line takes the parser's path).
 */
export function compileCsvAvroEncoder(shapes: LineShapes, delimiter: string): CsvAvroEncoder | undefined {
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) >= 0x80) return undefined;
  const delim = delimiter.charCodeAt(0);
  const fusable = !WORD_CHARS.test(delimiter);
  const reader = shapes.configured.type as unknown as RecordTypeLike;
  const cap = shapes.maxColumns;
  const compiled = new Map<unknown, CompiledShape | undefined>();
  for (const shape of shapes.byColumns) {
    if (shape === undefined || compiled.has(shape.parser)) continue;
    const counts = shapes.byColumns.flatMap((s, n) => (s?.parser === shape.parser ? [n] : []));
    compiled.set(shape.parser, compileShape(shape.parser, reader, { delim, fusable, counts }));
  }
  const split = shapes.byColumns.map((shape) => (shape === undefined ? undefined : compiled.get(shape.parser)?.split));
  const fusedByColumns = shapes.byColumns.map((shape) => (shape === undefined ? undefined : compiled.get(shape.parser)?.fused));
  // Per field at most a 10-byte varint and a union index beyond the column's own bytes, plus the
  // fixed bytes of defaults.
  let constantBytes = 0;
  for (const shape of compiled.values()) constantBytes = Math.max(constantBytes, shape?.constantBytes ?? 0);
  const slack = 16 * reader.fields.length + constantBytes;
  const S = new Int32Array(cap + 1);
  const E = new Int32Array(cap + 1);
  let columns = 0; // the column count `encode` saw last
  let fused = fusedByColumns[shapes.configured.total]; // the shape that took the previous line
  let onePassAnswers = 0;

  function encode(buf: Buffer, start: number, end: number, out: Buffer, pos: number): number {
    columns = 0;
    if (start === end) return -1;
    let n = 0;
    let from = start;
    let bits = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      bits |= c;
      if (c !== delim) continue;
      if (n >= cap) return -1; // more columns than any version has
      S[n] = from;
      E[n] = i;
      n++;
      from = i + 1;
    }
    if (bits >= 0x80) return -1;
    S[n] = from;
    E[n] = end;
    columns = n + 1;
    const shape = split[columns];
    return shape === undefined ? -1 : shape(buf, S, E, columns, out, pos);
  }

  return {
    slack,
    encode,
    get onePassAnswers() {
      return onePassAnswers;
    },
    encodeAscii(buf, start, end, out, pos) {
      if (fused !== undefined && start !== end) {
        const next = fused(buf, start, end, out, pos);
        if (next !== -2) {
          onePassAnswers++;
          return next;
        }
      }
      const next = encode(buf, start, end, out, pos);
      if (next >= 0) fused = fusedByColumns[columns];
      return next;
    },
  };
}

interface ShapeParser {
  readonly required: number;
  readonly total: number;
  readonly type: avro.Type;
  readonly fields: readonly ColumnField[];
}

interface CompiledShape {
  readonly split: SplitEncoder;
  readonly fused: FusedEncoder | undefined;
  /** Most bytes of defaults one record may take. */
  readonly constantBytes: number;
}

interface FusedOptions {
  readonly delim: number;
  readonly fusable: boolean;
  /** The column counts for which the parser picks this shape. */
  readonly counts: readonly number[];
}

/**
 * The generated encoders of one version's columns into the reader's record, or undefined when
 * the parser must do it: a promoted type (its upgrader converts the value) or a column two
 * reader fields take (by name and by alias), which would break the room the caller keeps.
 */
function compileShape(parser: ShapeParser, reader: RecordTypeLike, options: FusedOptions): CompiledShape | undefined {
  const writer = parser.type as unknown as RecordTypeLike;
  const { fields, required, total } = parser;
  const emit = emitRecordCode(parser, reader);
  if (emit === undefined) return undefined;
  const tables: CodegenTables = { patterns: [], symbolMaps: [] };
  const typeOf = (i: number) => writer.fields[i]?.type as avro.Type;
  const declare = [
    'let k = 0, x = 0, d = 0, m = 0, g = 0, w, neg = false;',
    ...fields.map((_, i) => `let s${i} = 0, e${i} = 0, v${i} = 0, z${i} = false;`),
  ];

  const splitLines = [`if (n < ${required} || n > ${total}) return -1;`, ...declare];
  fields.forEach((field, i) => {
    const body = [`s${i} = S[${i}]; e${i} = E[${i}];`, ...convertCode(field, i, typeOf(i), tables, 'return -1;')];
    splitLines.push(...(i >= required ? [`if (n > ${i}) {`, ...body, '}'] : body));
  });
  const splitSource = `return function encodeColumns(b, S, E, n, O, p) {\n${[...splitLines, ...emit.lines].join('\n')}\n};`;

  let fusedSource: string | undefined;
  if (options.fusable) {
    const fusedLines = [...declare, `let n = ${total}, more = true;`];
    fields.forEach((field, i) => {
      const body = fusedColumnCode(field, i, typeOf(i), tables, options.delim, 'return -2;');
      if (i >= required) fusedLines.push('if (more) {', ...body, `} else if (n > ${i}) n = ${i};`);
      else fusedLines.push(...(i > 0 ? ['if (!more) return -2;'] : []), ...body);
    });
    fusedLines.push('if (more) return -2;', `if (${options.counts.map((c) => `n !== ${c}`).join(' && ')}) return -2;`);
    fusedSource = `return function encodeLine(b, q, end, O, p) {\n${[...fusedLines, ...emit.lines].join('\n')}\n};`;
  }

  const failure: ConversionFailure = { reason: '' };
  const args = [tables.patterns, tables.symbolMaps, fields.map((f) => f.convert), failure, INVALID, emit.constants, latin1];
  const make = (source: string) => new Function('P', 'M', 'C', 'F', 'INV', 'K', 'L', source)(...args);
  return {
    split: make(splitSource) as SplitEncoder,
    fused: fusedSource === undefined ? undefined : (make(fusedSource) as FusedEncoder),
    constantBytes: emit.constantBytes,
  };
}

/** Statements writing the reader's record from the checked columns (then `return p`). */
function emitRecordCode(
  parser: ShapeParser,
  reader: RecordTypeLike,
): { lines: string[]; constants: Uint8Array[]; constantBytes: number } | undefined {
  const writer = parser.type as unknown as RecordTypeLike;
  const { fields, required } = parser;
  const lines: string[] = [];
  const constants: Uint8Array[] = [];
  const taken = new Set<number>();
  let constantBytes = 0;
  for (const rf of reader.fields) {
    const j = writerIndex(rf, writer);
    if (j === -1) {
      const added = rf.type.toBuffer(rf.defaultValue());
      constantBytes += added.length;
      lines.push(...constantCode(added, constants));
      continue;
    }
    if (taken.has(j)) return undefined;
    taken.add(j);
    const wf = writer.fields[j] as RecordTypeLike['fields'][number];
    if (!rf.type.equals(wf.type)) return undefined; // promoted: the parser's upgrader converts it
    const emit = emitCode(fields[j] as ColumnField, j, wf.type);
    if (j >= required) {
      const absent = rf.type.toBuffer((fields[j] as ColumnField).defaultValue);
      constantBytes += absent.length;
      lines.push(`if (n > ${j}) {`, ...emit, '} else {', ...constantCode(absent, constants), '}');
    } else lines.push(...emit);
  }
  lines.push('return p;');
  return { lines, constants, constantBytes };
}

/** As compileRecordUpgrader (resolution.ts) matches fields: by name, else by the reader's aliases. */
function writerIndex(rf: RecordTypeLike['fields'][number], writer: RecordTypeLike): number {
  const byName = writer.fields.findIndex((f) => f.name === rf.name);
  return byName !== -1 ? byName : writer.fields.findIndex((f) => rf.aliases.includes(f.name));
}

function latin1(b: Buffer, s: number, e: number): string {
  return b.toString('latin1', s, e);
}

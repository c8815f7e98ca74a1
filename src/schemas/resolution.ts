/**
 * Reading data written with one schema version as another (Avro "Schema Resolution").
 *
 * - `resolvingDecoder(reader, writer)`: decodes writer-encoded bytes into reader values, through
 *   avsc's resolver (built once per pair); the reader's type itself when the canonical forms are
 *   equal. Throws RXF_SCHEMA_INCOMPATIBLE naming every incompatibility when the reader cannot read
 *   the writer (compatibility.ts), so a reader never silently gets wrong values.
 * - `compileRecordUpgrader(reader, writer)`: turns a *record object* valid against `writer` into
 *   one of `reader`, without encoding: a generated function building one object literal in the
 *   reader's field order (one hidden class, as the CSV parser's records), copying fields whose
 *   types are equal, converting promoted ones through avsc's resolver, and taking the reader's
 *   default for fields the writer lacks. Used by the CSV parser for lines of an older version,
 *   which must cost little more than a line of the configured version.
 *   Generated source holds only JSON-quoted Avro field names and array indexes (no injection).
 */
import type avro from 'avsc';
import { ErrorCodes, RxfError } from '../core/errors.js';
import { resolutionProblems } from './compatibility.js';

export type RecordUpgrader = (record: Record<string, unknown>) => Record<string, unknown>;

/** A decoder of bytes written with one schema into values of another. */
export type ResolvingDecoder = (bytes: Buffer) => unknown;

interface RecordTypeLike {
  readonly name?: string;
  readonly fields: readonly {
    readonly name: string;
    readonly type: avro.Type;
    readonly aliases: readonly string[];
    defaultValue(): unknown;
  }[];
}

/** How errors name the two schemas, e.g. `smartcar.CarStatus v1`. */
export interface ResolutionLabels {
  readonly reader: string;
  readonly writer: string;
}

function cannotRead(reader: avro.Type, writer: avro.Type, labels?: ResolutionLabels): RxfError | undefined {
  const problems = resolutionProblems(reader, writer, 'backward');
  if (problems.length === 0) return undefined;
  const list = problems.map((p) => `${p.path}: ${p.reason}`).join('; ');
  const readerName = labels?.reader ?? reader.name ?? reader.typeName;
  const writerName = labels?.writer ?? 'its writer schema';
  return new RxfError(ErrorCodes.SCHEMA_INCOMPATIBLE, `${readerName} cannot read data written with ${writerName}: ${list}`);
}

export function resolvingDecoder(reader: avro.Type, writer: avro.Type, labels?: ResolutionLabels): ResolvingDecoder {
  if (reader.equals(writer)) return (bytes) => reader.fromBuffer(bytes);
  const problem = cannotRead(reader, writer, labels);
  if (problem) throw problem;
  const resolver = reader.createResolver(writer);
  return (bytes) => reader.fromBuffer(bytes, resolver);
}

export function compileRecordUpgrader(reader: avro.Type, writer: avro.Type, labels?: ResolutionLabels): RecordUpgrader {
  const problem = cannotRead(reader, writer, labels);
  if (problem) throw problem;
  const readerFields = (reader as unknown as RecordTypeLike).fields;
  const writerFields = (writer as unknown as RecordTypeLike).fields;
  const constants: unknown[] = [];
  const factories: (() => unknown)[] = [];
  const converters: ((v: unknown) => unknown)[] = [];
  const props = readerFields.map((rf, i) => {
    const key = JSON.stringify(rf.name);
    const wf = writerFields.find((f) => f.name === rf.name) ?? writerFields.find((f) => rf.aliases.includes(f.name));
    if (wf === undefined) {
      const value = rf.defaultValue();
      // An object default (record, array, map, bytes) is made anew per record: records are mutable.
      if (value !== null && typeof value === 'object') {
        factories[i] = () => rf.defaultValue();
        return `${key}: F[${i}]()`;
      }
      constants[i] = value;
      return `${key}: D[${i}]`;
    }
    const from = `r[${JSON.stringify(wf.name)}]`;
    if (rf.type.equals(wf.type)) return `${key}: ${from}`;
    const resolver = rf.type.createResolver(wf.type);
    converters[i] = (v) => rf.type.fromBuffer(wf.type.toBuffer(v), resolver);
    return `${key}: X[${i}](${from})`;
  });
  const make = new Function('D', 'F', 'X', `return function upgrade(r) { return { ${props.join(', ')} }; };`);
  return make(constants, factories, converters) as RecordUpgrader;
}

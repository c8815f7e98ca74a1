/**
 * Confluent schema ids from a file: which 4-byte id the Confluent wire format carries for each
 * schema version, and back (the Kafka sink writes ids, `rxflume consume` reads them).
 *
 * File format (YAML or JSON; JSON is YAML):
 *   smartcar.CarStatus:    { 1: 11, 2: 12 }
 *   smartcar.DrivingEvent: { 1: 21, 2: 22 }
 * i.e. full name → { version → id }. Versions are positive integers, ids integers
 * 0 … 2147483647 (Confluent ids are signed 32-bit), and one id names one schema version only.
 *
 * Confluent framing of a value: byte 0 = magic 0, bytes 1-4 = the id big-endian, then the Avro
 * binary body (no single-object prefix). `confluentHeader` builds those 5 bytes once per id.
 *
 * Failure modes: an unreadable file, invalid YAML, a bad shape, version or id, a duplicate id →
 * RXF_CONFIG_INVALID naming the file and the entry.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, RxfError } from '../core/errors.js';

export const CONFLUENT_MAGIC = 0;
export const CONFLUENT_HEADER_BYTES = 5;
const MAX_ID = 0x7fffffff;

export interface SchemaVersionRef {
  readonly name: string;
  readonly version: number;
}

export class SchemaIdMap {
  private readonly ids = new Map<string, Map<number, number>>();
  private readonly byIdMap = new Map<number, SchemaVersionRef>();

  constructor(
    entries: readonly (SchemaVersionRef & { readonly id: number })[],
    readonly file = '(inline)',
  ) {
    for (const { name, version, id } of entries) {
      const clash = this.byIdMap.get(id);
      if (clash) throw invalid(file, `id ${id} is given to both ${clash.name} v${clash.version} and ${name} v${version}`);
      let versions = this.ids.get(name);
      if (!versions) {
        versions = new Map();
        this.ids.set(name, versions);
      }
      versions.set(version, id);
      this.byIdMap.set(id, { name, version });
    }
  }

  /** The id of `name` at `version`, if the file gives one. */
  idOf(name: string, version: number): number | undefined {
    return this.ids.get(name)?.get(version);
  }

  /** The schema version an id names, if any. */
  byId(id: number): SchemaVersionRef | undefined {
    return this.byIdMap.get(id);
  }
}

/** Magic byte 0 and the 4-byte big-endian id: the first 5 bytes of a Confluent-framed value. */
export function confluentHeader(id: number): Buffer {
  const out = Buffer.alloc(CONFLUENT_HEADER_BYTES);
  out.writeUInt8(CONFLUENT_MAGIC, 0);
  out.writeUInt32BE(id, 1);
  return out;
}

/** The id of a Confluent-framed value, or undefined when it is not one (too short, wrong magic). */
export function confluentIdOf(value: Buffer): number | undefined {
  if (value.length < CONFLUENT_HEADER_BYTES || value[0] !== CONFLUENT_MAGIC) return undefined;
  return value.readUInt32BE(1);
}

function invalid(file: string, problem: string): RxfError {
  return new RxfError(ErrorCodes.CONFIG_INVALID, `schema id file ${file}: ${problem}`);
}

/** Parses the text of a schema id file (see the module header). */
export function parseSchemaIds(text: string, file = '(inline)'): SchemaIdMap {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw invalid(file, `not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalid(file, 'must map schema full names to { version: id }, e.g. {"smartcar.CarStatus": {"1": 11, "2": 12}}');
  }
  const entries: (SchemaVersionRef & { id: number })[] = [];
  for (const [name, versions] of Object.entries(doc)) {
    if (versions === null || typeof versions !== 'object' || Array.isArray(versions)) {
      throw invalid(file, `${name}: must map versions to ids, e.g. {"1": 11}`);
    }
    for (const [v, id] of Object.entries(versions as Record<string, unknown>)) {
      const version = Number(v);
      if (!/^[1-9][0-9]*$/.test(v)) throw invalid(file, `${name}: version "${v}" is not a positive integer`);
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
        throw invalid(file, `${name} v${v}: id ${JSON.stringify(id)} is not an integer 0-${MAX_ID}`);
      }
      entries.push({ name, version, id });
    }
  }
  return new SchemaIdMap(entries, file);
}

/** Reads and parses a schema id file. */
export function loadSchemaIds(file: string): SchemaIdMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
  return parseSchemaIds(text, file);
}

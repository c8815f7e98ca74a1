/**
 * The schema registry: every `.avsc` file under one folder, parsed once at start-up.
 *
 * Layout (the files are the source of truth): `<dir>/<namespace>/<Name>.v<N>.avsc`, e.g.
 * `schemas/smartcar/CarStatus.v1.avsc` holds `smartcar.CarStatus` version 1. A nested folder
 * `a/b/` is namespace `a.b`. Other files (README.md) are ignored.
 *
 * Invariants:
 * - A loaded registry is immutable; `get(name)` answers the highest version of that full name.
 * - Each version carries the hex CRC-64-AVRO fingerprint of its Parsing Canonical Form
 *   (fingerprint.ts) and `earlier`, the lower versions of its name (ascending), so a parser or a
 *   reader given one version can reach the ones before it. `byFingerprint` finds a version from
 *   the fingerprint a Kafka header or a file carries; versions whose canonical forms are equal
 *   (only docs or rxflume.* attributes changed) share a fingerprint, and the highest one answers.
 * - Each file is parsed with its own avsc name registry, so versions of one record never clash.
 * - Every load error is an RxfError (RXF_CONFIG_INVALID) whose message starts with the file path:
 *   unreadable file, invalid JSON, invalid Avro, a full name that does not match the file's
 *   place, a bad rxflume.* constraint attribute (see constraints.ts), a duplicate version.
 */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { ErrorCodes, RxfError } from '../core/errors.js';
import type { SchemaRef } from '../core/event.js';
import { readFieldConstraints } from './constraints.js';
import { schemaFingerprintHex } from './fingerprint.js';

/** One schema file as parsed, before the registry links it to its other versions. */
export interface LoadedSchema extends SchemaRef {
  readonly type: avro.Type;
  readonly version: number;
  /** Absolute path of the .avsc file. */
  readonly file: string;
}

export interface RegisteredSchema extends LoadedSchema {
  /** CRC-64-AVRO fingerprint of the Parsing Canonical Form, 16 lower-case hex digits. */
  readonly fingerprint: string;
  /** The lower versions of the same name, ascending (empty for the first version). */
  readonly earlier: readonly RegisteredSchema[];
}

const FILE_NAME = /^([A-Za-z_][A-Za-z0-9_]*)\.v([1-9][0-9]*)\.avsc$/;

/** The package's own `schemas/` folder; src/schemas and dist/schemas are both two levels below the root. */
export function defaultSchemaDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
}

export class SchemaRegistry {
  private readonly byName = new Map<string, Map<number, RegisteredSchema>>();
  private readonly byPrint = new Map<string, RegisteredSchema>();

  constructor(schemas: readonly LoadedSchema[]) {
    const loaded = new Map<string, Map<number, LoadedSchema>>();
    for (const s of schemas) {
      let versions = loaded.get(s.name);
      if (!versions) {
        versions = new Map();
        loaded.set(s.name, versions);
      }
      const clash = versions.get(s.version);
      if (clash) throw loadError(s.file, `${s.name} version ${s.version} is already defined in ${clash.file}`);
      versions.set(s.version, s);
    }
    for (const [name, versions] of loaded) {
      const linked = new Map<number, RegisteredSchema>();
      const earlier: RegisteredSchema[] = [];
      for (const version of [...versions.keys()].sort((a, b) => a - b)) {
        const s = versions.get(version) as LoadedSchema;
        const registered: RegisteredSchema = { ...s, fingerprint: schemaFingerprintHex(s.schema), earlier: [...earlier] };
        earlier.push(registered);
        linked.set(version, registered);
        // Ascending, so equal canonical forms end up answering their highest version.
        this.byPrint.set(registered.fingerprint, registered);
      }
      this.byName.set(name, linked);
    }
  }

  /** The version whose canonical-form fingerprint (16 hex digits) is `fingerprint`, if any. */
  byFingerprint(fingerprint: string): RegisteredSchema | undefined {
    return this.byPrint.get(fingerprint.toLowerCase());
  }

  /** Full names known, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Versions of one full name, ascending (empty when unknown). */
  versions(name: string): number[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  has(name: string, version?: number): boolean {
    const versions = this.byName.get(name);
    return versions !== undefined && (version === undefined || versions.has(version));
  }

  /** The schema `name` at `version`, or its latest version. Throws RXF_CONFIG_INVALID when unknown. */
  get(name: string, version?: number): RegisteredSchema {
    const versions = this.byName.get(name);
    if (!versions) {
      const known = this.names();
      throw new RxfError(ErrorCodes.CONFIG_INVALID, `unknown schema "${name}" (known: ${known.length ? known.join(', ') : 'none'})`);
    }
    const v = version ?? Math.max(...versions.keys());
    const found = versions.get(v);
    if (!found) {
      throw new RxfError(ErrorCodes.CONFIG_INVALID, `schema "${name}" has no version ${v} (versions: ${this.versions(name).join(', ')})`);
    }
    return found;
  }
}

/** Loads every `<namespace>/<Name>.v<N>.avsc` under `dir` (default: the package's schemas/). */
export function loadSchemaRegistry(dir: string = defaultSchemaDir()): SchemaRegistry {
  const root = resolve(dir);
  let files: string[];
  try {
    files = listAvscFiles(root);
  } catch (err) {
    throw new RxfError(ErrorCodes.CONFIG_INVALID, `schema folder ${root}: ${(err as Error).message}`, { cause: err });
  }
  return new SchemaRegistry(files.map((file) => loadSchemaFile(root, file)));
}

/** Parses one schema file; `root` is the registry folder the namespace is relative to. */
export function loadSchemaFile(root: string, file: string): LoadedSchema {
  const rel = relative(root, file);
  const parts = rel.split(sep);
  const base = parts.pop() ?? '';
  const m = FILE_NAME.exec(base);
  if (!m || parts.length === 0) throw loadError(file, 'file must be named <namespace>/<Name>.v<N>.avsc');
  const expectedName = `${parts.join('.')}.${m[1]}`;
  const version = Number(m[2]);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw loadError(file, (err as Error).message, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw loadError(file, `invalid JSON: ${(err as Error).message}`, err);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw loadError(file, 'a schema file must hold one JSON object');
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema, { registry: {} });
  } catch (err) {
    throw loadError(file, `invalid Avro schema: ${(err as Error).message}`, err);
  }
  if (type.name !== expectedName) {
    throw loadError(file, `defines ${type.name ?? `an unnamed ${type.typeName}`}, but its place in the folder says ${expectedName}`);
  }
  const fields = (json as { fields?: unknown }).fields;
  if (Array.isArray(fields)) {
    for (const field of fields) {
      try {
        readFieldConstraints(field as Record<string, unknown>);
      } catch (err) {
        throw loadError(file, (err as Error).message, err);
      }
    }
  }
  return { name: expectedName, version, type, schema: json, file };
}

function listAvscFiles(dir: string): string[] {
  const out: string[] = [];
  const entries: Dirent[] = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...listAvscFiles(path));
    else if (e.name.endsWith('.avsc')) out.push(path);
  }
  return out;
}

function loadError(file: string, problem: string, cause?: unknown): RxfError {
  return new RxfError(ErrorCodes.CONFIG_INVALID, `schema file ${file}: ${problem}`, cause === undefined ? {} : { cause });
}

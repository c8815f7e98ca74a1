/**
 * Decodes Kafka message values the Kafka sink wrote, finding the writer schema and resolving it to
 * a chosen reader version of the same name (what `rxflume consume --reader-version` prints).
 *
 * Finding the writer, in order:
 *   1. `rxflume.schema.fingerprint` header → the registry version with that canonical-form
 *      fingerprint (it must have the name the `rxflume.schema` header gives);
 *   2. `rxflume.schema` (+ `rxflume.schema.version`, else the latest) without a fingerprint;
 *   3. a value framed the Confluent way (magic 0, 4-byte id) → the id's version in the schema id
 *      map (without a map: an error saying so, as a line of text never starts with a NUL byte);
 *   4. otherwise the value is text (UTF-8).
 * The reader is `readerVersion` of the writer's name (default the latest); decoding resolves the
 * writer's data to it (resolution.ts), one resolver per (writer, reader) pair, cached.
 *
 * Failure modes (each answers `error` and the value in base64, never throws): unknown name,
 * version, fingerprint or id; a Confluent value without an id map; a reader version that cannot
 * read the writer's data; bytes that do not decode.
 */
import { dirname } from 'node:path';
import { HEADER_SCHEMA, HEADER_SCHEMA_FINGERPRINT, HEADER_SCHEMA_VERSION } from '../sinks/kafka/messages.js';
import type { RegisteredSchema, SchemaRegistry } from './registry.js';
import { type ResolvingDecoder, resolvingDecoder } from './resolution.js';
import { CONFLUENT_HEADER_BYTES, confluentIdOf, type SchemaIdMap } from './schema-ids.js';

export interface DecodedValue {
  readonly value: unknown;
  /** The writer schema, e.g. `smartcar.DrivingEvent v1`. */
  readonly schema?: string;
  /** The reader schema the value was resolved to, e.g. `smartcar.DrivingEvent v2`. */
  readonly reader?: string;
  readonly error?: string;
}

export interface KafkaValueDecoderOptions {
  /** Reader version for every name (default: each name's latest). */
  readonly readerVersion?: number;
  /** Confluent ids: values framed with magic byte 0 and an id are decoded by it. */
  readonly schemaIds?: SchemaIdMap;
}

const label = (s: RegisteredSchema) => `${s.name} v${s.version}`;

export class KafkaValueDecoder {
  private readonly decoders = new Map<string, ResolvingDecoder | Error>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly options: KafkaValueDecoderOptions = {},
  ) {}

  decode(headers: Record<string, string>, value: Buffer | null): DecodedValue {
    if (value === null) return { value: null };
    const raw = () => value.toString('base64');
    const name = headers[HEADER_SCHEMA];
    if (name !== undefined) {
      const found = this.writerFromHeaders(name, headers);
      if (typeof found === 'string') return { value: raw(), error: found };
      return this.resolve(found, value, raw);
    }
    const id = confluentIdOf(value);
    if (id !== undefined && !this.options.schemaIds) {
      // Text never starts with a NUL byte: this is Avro in the Confluent framing, not a line.
      return { value: raw(), error: `a Confluent-framed value (schema id ${id}) and no schema id file to decode it (--schema-ids)` };
    }
    if (id !== undefined) {
      const ref = this.options.schemaIds?.byId(id);
      if (!ref) return { value: raw(), error: `unknown Confluent schema id ${id}` };
      if (!this.registry.has(ref.name, ref.version)) {
        return { value: raw(), error: `Confluent schema id ${id} names ${ref.name} v${ref.version}, which is not in the schema folder` };
      }
      return this.resolve(this.registry.get(ref.name, ref.version), value.subarray(CONFLUENT_HEADER_BYTES), raw);
    }
    return { value: value.toString('utf8') };
  }

  /** The writer schema the headers name, or the reason it cannot be found. */
  private writerFromHeaders(name: string, headers: Record<string, string>): RegisteredSchema | string {
    const fingerprint = headers[HEADER_SCHEMA_FINGERPRINT];
    if (fingerprint !== undefined) {
      const found = this.registry.byFingerprint(fingerprint);
      if (found?.name === name) return found;
      const versions = this.registry.versions(name);
      if (versions.length === 0) return `unknown schema ${name}`;
      return `schema fingerprint ${fingerprint} matches no version of ${name} (versions ${versions.join(', ')} in ${dirname(this.registry.get(name).file)})`;
    }
    const versions = this.registry.versions(name);
    if (versions.length === 0) return `unknown schema ${name}`;
    const versionText = headers[HEADER_SCHEMA_VERSION];
    if (versionText === undefined) return this.registry.get(name);
    const version = /^[1-9][0-9]*$/.test(versionText) ? Number(versionText) : Number.NaN;
    if (!this.registry.has(name, version))
      return `unknown schema ${name} version ${JSON.stringify(versionText)} (versions ${versions.join(', ')})`;
    return this.registry.get(name, version);
  }

  private resolve(writer: RegisteredSchema, body: Buffer, raw: () => string): DecodedValue {
    const readerVersion = this.options.readerVersion;
    if (readerVersion !== undefined && !this.registry.has(writer.name, readerVersion)) {
      return { value: raw(), schema: label(writer), error: `${writer.name} has no reader version ${readerVersion}` };
    }
    const reader = this.registry.get(writer.name, readerVersion);
    const key = `${writer.fingerprint}>${reader.fingerprint}`;
    let decoder = this.decoders.get(key);
    if (decoder === undefined) {
      try {
        decoder = resolvingDecoder(reader.type, writer.type, { reader: label(reader), writer: label(writer) });
      } catch (err) {
        decoder = err as Error;
      }
      this.decoders.set(key, decoder);
    }
    const labels = { schema: label(writer), reader: label(reader) };
    if (decoder instanceof Error) return { value: raw(), ...labels, error: decoder.message };
    try {
      return { value: decoder(body), ...labels };
    } catch (err) {
      return { value: raw(), ...labels, error: `not valid ${label(writer)}: ${(err as Error).message}` };
    }
  }
}

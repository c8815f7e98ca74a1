/**
 * Reads the message-key field straight from an event's Avro-encoded record, without decoding the
 * whole record (a parse worker hands records over encoded, and `event.record` decodes them lazily:
 * decoding every field of every line only to read one cost the Kafka path ~1/5 of its CPU).
 *
 * How: Avro binary encodes a record as its fields back to back, in schema order, with nothing
 * between them; so a record type made of the schema's first fields up to the key field decodes a
 * prefix of the encoding into exactly those fields, with the same values a full decode gives.
 * The prefix type is built from the batch schema's JSON (same name, namespace and named types, the
 * same `{ registry: {} }` options the schema registry and parse worker use) once per schema.
 *
 * Failure modes: a key field that is not a top-level field of the schema (or a schema without
 * fields, or one avsc refuses to truncate) has no reader: callers fall back to `event.record`.
 * A prefix that does not decode (never for bytes the parse stage produced) yields `undefined`, and
 * the caller then falls back to the decoded record too.
 */
import avro from 'avsc';
import type { SchemaRef } from '../../core/event.js';

/** Returns the key field's value from an encoded record, or `undefined` if it cannot be read. */
export type EncodedKeyReader = (encoded: Buffer) => unknown;

interface RecordSchemaJson {
  type?: unknown;
  name?: unknown;
  namespace?: unknown;
  fields?: unknown;
}

// Per schema and key field; SchemaRefs live as long as the registry, so a WeakMap frees nothing early.
const readers = new WeakMap<SchemaRef, Map<string, EncodedKeyReader | null>>();

/** The reader of `keyField` for records of `schema`, or `undefined` when it cannot be read from the encoding. */
export function encodedKeyReader(schema: SchemaRef, keyField: string): EncodedKeyReader | undefined {
  let bySchema = readers.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    readers.set(schema, bySchema);
  }
  let reader = bySchema.get(keyField);
  if (reader === undefined) {
    reader = buildReader(schema.schema as RecordSchemaJson, keyField);
    bySchema.set(keyField, reader);
  }
  return reader ?? undefined;
}

function buildReader(json: RecordSchemaJson, keyField: string): EncodedKeyReader | null {
  if (json.type !== 'record' || !Array.isArray(json.fields)) return null;
  const index = json.fields.findIndex((f) => (f as { name?: unknown } | null)?.name === keyField);
  if (index < 0) return null;
  let prefix: avro.Type;
  try {
    prefix = avro.Type.forSchema({ ...json, fields: json.fields.slice(0, index + 1) } as avro.Schema, { registry: {} });
  } catch {
    return null;
  }
  return (encoded) => {
    const { value, offset } = prefix.decode(encoded, 0);
    return offset < 0 ? undefined : (value as Record<string, unknown>)[keyField];
  };
}

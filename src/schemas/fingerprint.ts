/**
 * Avro schema fingerprints: the Parsing Canonical Form and its CRC-64-AVRO ("Rabin")
 * fingerprint, as the Avro specification defines them (section "Schema Fingerprints").
 *
 * Invariants:
 * - The canonical form depends only on what parsing needs: primitives in simple form, full
 *   names, only `name type fields symbols items values size` in that order, no whitespace.
 *   Docs, defaults, aliases, logical types and custom attributes (`rxflume.*`) never change it.
 * - A fingerprint is an unsigned 64-bit value (bigint). Its hex form is 16 lower-case digits of
 *   that value, most significant first: "null" → 63dd24e7cc258f8a (the spec's test vectors print
 *   the same value as the signed decimal 7195948357588979594). Avro's single-object encoding
 *   writes the same value little-endian; `fingerprintBytesLE` gives those 8 bytes.
 *
 * Failure modes: a schema that is not valid JSON-Avro shape (a type that is neither a string,
 * an array nor an object with `type`) throws a TypeError naming it; canonicalisation does not
 * otherwise validate (avsc does that when the registry loads the file).
 */

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/** The CRC-64-AVRO "empty" value and polynomial seed (spec: 0xc15d213aa4d7a795). */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let fp = i;
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK64);
    table.push(fp);
  }
  return table;
})();

/** CRC-64-AVRO of some bytes (a string is taken as its UTF-8 bytes). */
export function crc64Avro(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint);
  return fp;
}

function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.') || !namespace) return name;
  return `${namespace}.${name}`;
}

/** The Parsing Canonical Form of a schema, given as parsed JSON (object, array or string). */
export function parsingCanonicalForm(schema: unknown): string {
  return canonical(schema, undefined, new Set());
}

function canonical(schema: unknown, namespace: string | undefined, seen: Set<string>): string {
  if (typeof schema === 'string') {
    return JSON.stringify(PRIMITIVES.has(schema) ? schema : fullName(schema, namespace));
  }
  if (Array.isArray(schema)) return `[${schema.map((s) => canonical(s, namespace, seen)).join(',')}]`;
  if (schema === null || typeof schema !== 'object' || typeof (schema as { type?: unknown }).type === 'undefined') {
    throw new TypeError(`not an Avro schema: ${JSON.stringify(schema)}`);
  }
  const s = schema as Record<string, unknown>;
  const type = s.type;
  if (typeof type !== 'string' || (!NAMED.has(type) && type !== 'array' && type !== 'map')) {
    // {"type": "int", "logicalType": ...} → "int"; {"type": {...}} → the inner schema.
    return canonical(type, namespace, seen);
  }
  if (type === 'array') return `{"type":"array","items":${canonical(s.items, namespace, seen)}}`;
  if (type === 'map') return `{"type":"map","values":${canonical(s.values, namespace, seen)}}`;

  const name = fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : namespace);
  if (seen.has(name)) return JSON.stringify(name);
  seen.add(name);
  const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
  let out = `{"name":${JSON.stringify(name)},"type":${JSON.stringify(type)}`;
  if (type === 'record' || type === 'error') {
    const fields = (s.fields as Array<Record<string, unknown>>).map(
      (f) => `{"name":${JSON.stringify(f.name)},"type":${canonical(f.type, inner, seen)}}`,
    );
    out += `,"fields":[${fields.join(',')}]`;
  } else if (type === 'enum') {
    out += `,"symbols":${JSON.stringify(s.symbols)}`;
  } else {
    out += `,"size":${Number(s.size)}`;
  }
  return `${out}}`;
}

/** CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form. */
export function schemaFingerprint(schema: unknown): bigint {
  return crc64Avro(parsingCanonicalForm(schema));
}

/** 16 lower-case hex digits, most significant first (see the module header). */
export function fingerprintHex(fp: bigint): string {
  return fp.toString(16).padStart(16, '0');
}

/** The 8 bytes Avro's single-object encoding writes after its 0xC3 0x01 marker. */
export function fingerprintBytesLE(fp: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out;
}

const hexCache = new WeakMap<object, string>();

/** Hex fingerprint of a schema object, computed once per object (schemas are immutable once loaded). */
export function schemaFingerprintHex(schema: object): string {
  let hex = hexCache.get(schema);
  if (hex === undefined) {
    hex = fingerprintHex(schemaFingerprint(schema));
    hexCache.set(schema, hex);
  }
  return hex;
}

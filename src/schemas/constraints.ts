/**
 * Value constraints Avro cannot express, written as field attributes in the .avsc files:
 *
 *   "rxflume.min": number      inclusive lower bound (int, long, float, double fields)
 *   "rxflume.max": number      inclusive upper bound (same types)
 *   "rxflume.pattern": string  JavaScript regular expression the column text must match
 *                              (string and enum fields; anchor it with ^…$ to match it whole)
 *
 * A nullable field (`["null", T]`) takes the constraints of T; null itself always passes.
 *
 * Invariants: constraints are read and checked once, when a schema file is loaded, so a typo
 * (`rxflume.maximum`), a bound on a string, `min > max` or a pattern that does not compile is an
 * error naming the field at start-up, never a surprise on the hot path.
 */

export interface FieldConstraints {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

const KNOWN = new Set(['rxflume.min', 'rxflume.max', 'rxflume.pattern']);
const NUMERIC = new Set(['int', 'long', 'float', 'double']);
const TEXTUAL = new Set(['string', 'enum']);

/** The Avro type name a constraint applies to: the non-null branch of a nullable union. */
export function constrainedTypeName(fieldType: unknown): string {
  if (Array.isArray(fieldType)) {
    const nonNull = fieldType.filter((t) => t !== 'null');
    return nonNull.length === 1 ? constrainedTypeName(nonNull[0]) : 'union';
  }
  if (typeof fieldType === 'string') return fieldType;
  if (fieldType !== null && typeof fieldType === 'object' && 'type' in fieldType) return String((fieldType as { type: unknown }).type);
  return 'unknown';
}

/**
 * Reads the rxflume.* attributes of one field (raw JSON as in the .avsc file).
 * Throws an Error whose message starts with the field name and says what to fix.
 */
export function readFieldConstraints(field: Record<string, unknown>): FieldConstraints {
  const name = String(field.name);
  const typeName = constrainedTypeName(field.type);
  const out: { min?: number; max?: number; pattern?: RegExp } = {};
  for (const key of Object.keys(field)) {
    if (!key.startsWith('rxflume.')) continue;
    if (!KNOWN.has(key)) throw new Error(`${name}: unknown attribute "${key}" (known: ${[...KNOWN].join(', ')})`);
    const value = field[key];
    if (key === 'rxflume.pattern') {
      if (!TEXTUAL.has(typeName)) throw new Error(`${name}: "rxflume.pattern" applies to string or enum fields, not ${typeName}`);
      if (typeof value !== 'string') throw new Error(`${name}: "rxflume.pattern" must be a string`);
      try {
        out.pattern = new RegExp(value);
      } catch (err) {
        throw new Error(`${name}: "rxflume.pattern" is not a valid regular expression: ${(err as Error).message}`);
      }
      continue;
    }
    if (!NUMERIC.has(typeName)) throw new Error(`${name}: "${key}" applies to int, long, float or double fields, not ${typeName}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name}: "${key}" must be a finite number`);
    if (key === 'rxflume.min') out.min = value;
    else out.max = value;
  }
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) {
    throw new Error(`${name}: "rxflume.min" ${out.min} is greater than "rxflume.max" ${out.max}`);
  }
  return out;
}

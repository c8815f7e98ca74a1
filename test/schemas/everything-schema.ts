/** Column fields of every kind (constraints, nullables), shared by the CSV parser and encoder tests. */
export const EVERY_KIND_FIELDS: Record<string, unknown>[] = [
  { name: 'code', type: 'string', 'rxflume.pattern': '^[A-Z]\\d{2}$' },
  { name: 'score', type: 'int', 'rxflume.min': -5, 'rxflume.max': 100 },
  { name: 'big', type: 'long' },
  { name: 'plain_int', type: 'int' },
  { name: 'ratio', type: 'float', 'rxflume.max': 2 },
  { name: 'precise', type: 'double' },
  { name: 'flag', type: 'boolean' },
  { name: 'grade', type: { type: 'enum', name: 'Grade', symbols: ['A', 'B', 'C'] } },
  { name: 'maybe', type: ['null', 'int'], 'rxflume.min': 0 },
  { name: 'note', type: 'string' },
];

/** The record `test.Everything` with EVERY_KIND_FIELDS and then `more`. */
export function everythingSchema(more: readonly Record<string, unknown>[]): {
  type: 'record';
  name: string;
  namespace: string;
  fields: Record<string, unknown>[];
} {
  return { type: 'record', name: 'Everything', namespace: 'test', fields: [...EVERY_KIND_FIELDS, ...more] };
}

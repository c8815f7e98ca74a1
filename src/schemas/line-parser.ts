/**
 * The parser for sources that name no schema: each line becomes `rxflume.Line { line: string }`.
 * Lines must still be valid UTF-8 (an Avro string is UTF-8); an invalid one is rejected with
 * RXF_INVALID_UTF8 and the offset of its first bad byte, like the CSV parser does.
 */
import avro from 'avsc';
import type { RecordParser } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import type { SchemaRef } from '../core/event.js';
import { firstInvalidUtf8Offset } from './utf8.js';

export const LINE_SCHEMA = {
  type: 'record',
  name: 'Line',
  namespace: 'rxflume',
  doc: 'One line of text, for sources without a schema of their own.',
  fields: [{ name: 'line', type: 'string', doc: 'The line without its terminator.' }],
} as const;

export function createLineParser(): RecordParser {
  const schema: SchemaRef = { name: 'rxflume.Line', type: avro.Type.forSchema(LINE_SCHEMA as unknown as avro.Schema), schema: LINE_SCHEMA };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    schema,
    parse(body) {
      try {
        return { ok: true, record: { line: decoder.decode(body) } };
      } catch {
        return {
          ok: false,
          code: ErrorCodes.INVALID_UTF8,
          reason: `line is not valid UTF-8: first invalid byte at offset ${firstInvalidUtf8Offset(body)}`,
        };
      }
    },
  };
}

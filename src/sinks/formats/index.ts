/** Picks the file format named in a sink config. */

import { avroFormat } from './avro.js';
import type { AvroCodec } from './avro-container.js';
import type { FileFormat } from './format.js';
import { textFormat } from './text.js';

export type { FileEncoder, FileFormat, PreparedEvents } from './format.js';
export type FormatName = 'text' | 'avro';

export function createFormat(name: FormatName, codec: AvroCodec, deflateLevel?: number): FileFormat {
  return name === 'avro' ? avroFormat(codec, deflateLevel) : textFormat;
}

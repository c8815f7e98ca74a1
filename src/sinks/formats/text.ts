/**
 * Text format, Flume's `DataStream` with the default TEXT serializer: each event body followed
 * by '\n', nothing else (headers are not written). Any batch is writable; a file never needs a
 * header, so all text files accept all batches.
 *
 * Performance: one buffer per bucket per batch, filled by copying bodies (no per-event allocation;
 * a suffix an interceptor kept beside a body is copied after it, never joined first).
 */
import { bodyLength, copyBodyInto, type FlumeEvent } from '../../core/event.js';
import type { FileEncoder, FileFormat } from './format.js';

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

const textEncoder: FileEncoder = {
  header: () => EMPTY,
  accepts: () => true,
  encode(events: readonly FlumeEvent[]): Buffer {
    let total = 0;
    for (const e of events) total += bodyLength(e) + 1;
    const out = Buffer.allocUnsafe(total);
    let pos = 0;
    for (const e of events) {
      pos += copyBodyInto(e, out, pos);
      out[pos++] = NEWLINE;
    }
    return out;
  },
};

export const textFormat: FileFormat = {
  name: 'text',
  check: () => undefined,
  open: () => textEncoder,
};

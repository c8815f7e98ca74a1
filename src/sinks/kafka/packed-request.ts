/**
 * A produce request packed into two transferable buffers, to hand it to the producer thread
 * without cloning thousands of small objects.
 *
 * Layout: `topics[t]` holds `counts[t]` messages, in order. `data` is every key, value and header
 * value of every message back to back; `meta` gives, per message:
 *   keyLength (-1 = null key), valueLength, headerCount, then per header nameIndex, valueLength,
 * where `names[nameIndex]` is the header name (names are few and repeat on every message, so the
 * reader gets each as one string instead of decoding it per message). Keys and header values that
 * are strings are written as UTF-8.
 *
 * Invariant: `data` and `meta` own their ArrayBuffers (never a slice of Node's shared Buffer
 * pool), so transferring them detaches nothing else. The reader is `unpack` in
 * producer-thread.ts (the worker's source), which must follow this layout exactly.
 */
import type { TopicMessages } from './producer.js';

export interface PackedRequest {
  readonly topics: string[];
  readonly counts: number[];
  readonly names: string[];
  readonly meta: Int32Array;
  readonly data: Uint8Array;
}

const byteLength = (v: Buffer | string) => (typeof v === 'string' ? Buffer.byteLength(v) : v.length);

export function packRequest(request: readonly TopicMessages[]): PackedRequest {
  let bytes = 0;
  let metaLength = 0;
  for (const t of request) {
    for (const m of t.messages) {
      metaLength += 3;
      if (m.key !== null) bytes += byteLength(m.key);
      bytes += byteLength(m.value);
      const headers = m.headers;
      if (headers) {
        // for…in, not Object.entries: no array per message (this runs per event on the agent's thread).
        for (const name in headers) {
          const value = headers[name];
          if (value === undefined) continue;
          metaLength += 2;
          bytes += byteLength(value as Buffer | string);
        }
      }
    }
  }
  const data = Buffer.allocUnsafeSlow(bytes);
  const meta = new Int32Array(metaLength);
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  let pos = 0;
  let at = 0;
  const put = (v: Buffer | string): number => {
    const n = typeof v === 'string' ? data.write(v, pos, 'utf8') : v.copy(data, pos);
    pos += n;
    return n;
  };
  for (const t of request) {
    for (const m of t.messages) {
      meta[at++] = m.key === null ? -1 : put(m.key);
      meta[at++] = put(m.value);
      const countAt = at++;
      let headerCount = 0;
      const headers = m.headers;
      if (headers) {
        for (const name in headers) {
          const value = headers[name];
          if (value === undefined) continue;
          let index = nameIndex.get(name);
          if (index === undefined) {
            index = names.push(name) - 1;
            nameIndex.set(name, index);
          }
          meta[at++] = index;
          meta[at++] = put(value as Buffer | string);
          headerCount++;
        }
      }
      meta[countAt] = headerCount;
    }
  }
  return { topics: request.map((t) => t.topic), counts: request.map((t) => t.messages.length), names, meta, data };
}

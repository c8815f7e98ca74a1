/**
 * The body of a Kafka Produce request (v3–v7, uncompressed) encoded in one pass into one buffer:
 * the producer thread's replacement for kafkajs's per-message encoder.
 *
 * Why: kafkajs builds one `Encoder` per record (a zeroed 512-byte buffer each), one per header,
 * spreads every message into a new object and converts the timestamp delta through a 64-bit Long;
 * in bench/kafka.mjs that was about half of the producer thread's CPU. Here each request is sized
 * in a first pass and written in a second, into one buffer.
 *
 * Wire format (Kafka protocol, what kafkajs 2.2.4's produce/v3 request writes byte for byte):
 *   transactional_id NULLABLE_STRING, acks INT16, timeout INT32,
 *   [topic STRING, [partition INT32, record_set_size INT32, RecordBatch]]
 *   RecordBatch (magic 2): firstOffset INT64 = 0, length INT32, partitionLeaderEpoch INT32 = 0,
 *     magic INT8 = 2, crc UINT32 (CRC-32C of attributes..end), attributes INT16 = 0 (no
 *     compression, not transactional), lastOffsetDelta INT32, firstTimestamp INT64 = maxTimestamp
 *     = `now`, producerId INT64, producerEpoch INT16, firstSequence INT32, [Record] (INT32 count)
 *   Record: length VARINT, attributes INT8 = 0, timestampDelta VARLONG = 0, offsetDelta VARINT,
 *     key VARINT-length bytes (-1 = null), value likewise, [header key VARINT-string, value bytes]
 *   (VARINT = zigzag LEB128, as Kafka's record format defines it.)
 *
 * Returns undefined for what it does not handle (a transactional request, a message carrying its
 * own timestamp): the caller then uses kafkajs's encoder, so behaviour never differs.
 *
 * Invariant: the function is self-contained (no imports, no closures over module state; CRC-32C
 * is passed in) because producer-thread.ts injects its source text into the worker.
 */

type Bytes = Buffer | string | null | undefined;

export interface RecordBatchMessage {
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
  timestamp?: unknown;
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: { toString(): string } | number;
  producerEpoch?: number;
  topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: RecordBatchMessage[] }[] }[];
}

export function encodeProduceBody(args: ProduceRequestArgs, now: number, crc32c: (bytes: Buffer) => number): Buffer | undefined {
  if (args.transactionalId != null) return undefined;
  const zigzag = (v: number) => ((v << 1) ^ (v >> 31)) >>> 0;
  const varIntSize = (v: number) => {
    let u = zigzag(v);
    let n = 1;
    while (u >= 0x80) {
      u >>>= 7;
      n++;
    }
    return n;
  };
  const bytesLength = (v: Bytes) => (v == null ? -1 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v)));
  const fieldSize = (length: number) => varIntSize(length) + Math.max(length, 0);

  // Pass 1: sizes. Record body sizes are kept, in message order, for pass 2.
  const bodySizes: number[] = [];
  let total = 2 + 2 + 4 + 4; // null transactional id, acks, timeout, topic count
  for (const { topic, partitions } of args.topicData) {
    total += 2 + Buffer.byteLength(topic) + 4;
    for (const { messages } of partitions) {
      total += 4 + 4 + 61; // partition, record set size, batch header with the record count
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as RecordBatchMessage;
        if (m.timestamp != null) return undefined;
        let body = 1 + 1 + varIntSize(i) + fieldSize(bytesLength(m.key)) + fieldSize(bytesLength(m.value));
        let headerCount = 0;
        if (m.headers) {
          for (const name of Object.keys(m.headers)) {
            const v = m.headers[name];
            for (const one of Array.isArray(v) ? v : [v]) {
              body += fieldSize(Buffer.byteLength(name)) + fieldSize(bytesLength(one));
              headerCount++;
            }
          }
        }
        body += varIntSize(headerCount);
        bodySizes.push(body);
        total += varIntSize(body) + body;
      }
    }
  }

  // Pass 2: write.
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const varInt = (v: number) => {
    let u = zigzag(v);
    while (u >= 0x80) {
      out[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    out[pos++] = u;
  };
  const bytes = (v: Bytes) => {
    if (v == null) return varInt(-1);
    if (Buffer.isBuffer(v)) {
      varInt(v.length);
      pos += v.copy(out, pos);
      return;
    }
    const s = String(v);
    varInt(Buffer.byteLength(s));
    pos += out.write(s, pos, 'utf8');
  };
  const string16 = (s: string) => {
    out.writeInt16BE(Buffer.byteLength(s), pos);
    pos += 2;
    pos += out.write(s, pos, 'utf8');
  };
  const producerId = BigInt(String(args.producerId ?? -1));
  out.writeInt16BE(-1, pos);
  out.writeInt16BE(args.acks, pos + 2);
  out.writeInt32BE(args.timeout, pos + 4);
  out.writeInt32BE(args.topicData.length, pos + 8);
  pos += 12;
  let record = 0;
  for (const { topic, partitions } of args.topicData) {
    string16(topic);
    out.writeInt32BE(partitions.length, pos);
    pos += 4;
    for (const { partition, firstSequence, messages } of partitions) {
      out.writeInt32BE(partition, pos);
      const sizeAt = pos + 4;
      const batchAt = pos + 8;
      out.writeBigInt64BE(0n, batchAt); // firstOffset
      out.writeInt32BE(0, batchAt + 12); // partitionLeaderEpoch
      out.writeInt8(2, batchAt + 16); // magic
      const crcAt = batchAt + 17;
      out.writeInt16BE(0, batchAt + 21); // attributes
      out.writeInt32BE(messages.length - 1, batchAt + 23);
      out.writeBigInt64BE(BigInt(now), batchAt + 27);
      out.writeBigInt64BE(BigInt(now), batchAt + 35);
      out.writeBigInt64BE(producerId, batchAt + 43);
      out.writeInt16BE(args.producerEpoch ?? 0, batchAt + 51);
      out.writeInt32BE(firstSequence ?? 0, batchAt + 53);
      out.writeInt32BE(messages.length, batchAt + 57);
      pos = batchAt + 61;
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as RecordBatchMessage;
        varInt(bodySizes[record++] as number);
        out[pos++] = 0; // attributes
        out[pos++] = 0; // timestampDelta (varlong 0)
        varInt(i);
        bytes(m.key);
        bytes(m.value);
        const headers = m.headers;
        if (!headers) {
          varInt(0);
          continue;
        }
        let count = 0;
        for (const name of Object.keys(headers)) {
          const v = headers[name];
          count += Array.isArray(v) ? v.length : 1;
        }
        varInt(count);
        for (const name of Object.keys(headers)) {
          const v = headers[name];
          for (const one of Array.isArray(v) ? v : [v]) {
            varInt(Buffer.byteLength(name));
            pos += out.write(name, pos, 'utf8');
            bytes(one);
          }
        }
      }
      out.writeInt32BE(pos - batchAt, sizeAt);
      out.writeInt32BE(pos - batchAt - 12, batchAt + 8); // length: from partitionLeaderEpoch on
      out.writeUInt32BE(crc32c(out.subarray(batchAt + 21, pos)), crcAt);
    }
  }
  return out;
}

/** kafkajs's groupMessagesPerPartition without its quadratic array copying (same result). */
export function groupMessagesPerPartition(args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (a: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}): Record<number, unknown[]> {
  const { topic, partitionMetadata, messages, partitioner } = args;
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list) list.push(message);
    else result[partition] = [message];
  }
  return result;
}

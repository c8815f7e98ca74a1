/**
 * Turns a batch into Kafka produce requests.
 *
 * Message layout:
 * - value: `text` → the event body as read (bytes, no line terminator); `avro` → Avro binary of
 *   the parsed record, encoded with the batch's schema (no container, no single-object prefix).
 * - key: the record field `keyField` (stringified), or the header `keyHeader` when set; null when
 *   absent (e.g. a source without a schema has no record). A record held Avro-encoded (from a parse
 *   worker) is not decoded for it: the field is read from a prefix of the encoding (record-key.ts).
 *   For avro, a held encoding is the value as is (it is against the batch schema), not re-encoded.
 * - headers: the event headers (when `headers` is on), always `rxflume.event.id` (the stable event
 *   id, so consumers can drop the duplicates a retry may cause), and for avro
 *   `rxflume.schema` (full name), `rxflume.schema.version`, `rxflume.schema.fingerprint` (hex
 *   CRC-64-AVRO of the canonical form, see src/schemas/fingerprint.ts).
 * - topic: the `topic` template with %{header} escapes expanded per event (Flume: missing → "").
 *
 * Lanes and requests: each event is assigned to one of `lanes` in-flight lanes by a stable hash of
 * its message key (FNV-1a of the key's UTF-16 code units; a null key goes round-robin by its
 * index in the batch), so every event of one key lands in one lane, in batch order. Each lane's
 * events are cut, in order, into requests of at most `requestMaxEvents` events and
 * `requestMaxBytes` key+value bytes (one event alone may exceed it: the broker then decides); a
 * lane's requests are split evenly (1,400 events → 700 + 700, not 1,000 + 400). The sink sends a
 * lane's requests strictly one after another, so per-key order holds with any `maxInFlight`.
 * `lanes` = min(maxInFlight, ceil(events / requestMaxEvents)): a write that fits one request is one
 * request. (Measured, bench/kafka.mjs at 20 k lines/s: writes of ~220 events cut into 3 lanes of
 * ~75 gave append → ack p99 57-63 ms in 3 of 4 runs, against 24-25 ms in 4 of 4 as one request: a
 * write waits for its slowest request, and more requests meet more of kafkajs's occasional stalls.)
 * The cut depends only on the batch and the config, so a retried batch yields the same requests (the sink relies on that to skip requests already acknowledged).
 *
 * Failure modes (permanent, the batch is dead-lettered): avro format without a batch schema or an
 * event without a record or one the schema cannot encode; a template that expands to no topic;
 * confluent wire format for a schema version the id file has no id for.
 */
import { ErrorCodes, RxfError } from '../../core/errors.js';
import { type EventBatch, type FlumeEvent, peekHeaders, type SchemaRef } from '../../core/event.js';
import { schemaFingerprintHex } from '../../schemas/fingerprint.js';
import { confluentHeader, loadSchemaIds, type SchemaIdMap } from '../../schemas/schema-ids.js';
import type { KafkaSinkConfig } from './config.js';
import type { KafkaMessage, TopicMessages } from './producer.js';
import { type EncodedKeyReader, encodedKeyReader } from './record-key.js';

export const HEADER_EVENT_ID = 'rxflume.event.id';
export const HEADER_SCHEMA = 'rxflume.schema';
export const HEADER_SCHEMA_VERSION = 'rxflume.schema.version';
export const HEADER_SCHEMA_FINGERPRINT = 'rxflume.schema.fingerprint';

export interface ProduceRequest {
  readonly topicMessages: TopicMessages[];
  readonly events: number;
  /** The in-flight lane; a lane's requests are in its order in the encoded list. */
  readonly lane: number;
}

/** FNV-1a over the key's UTF-16 code units: cheap, stable across runs and processes. */
export function laneOfKey(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

interface Encoded {
  readonly topic: string;
  readonly message: KafkaMessage;
  readonly size: number;
}

type TopicPart = string | { header: string };

function parseTopic(template: string): TopicPart[] {
  const parts: TopicPart[] = [];
  const re = /%\{([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ header: m[1] as string });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** `prefix` then `body` in one new buffer (the Confluent framing). */
function framed(prefix: Buffer, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + body.length);
  prefix.copy(out, 0);
  body.copy(out, prefix.length);
  return out;
}

interface AvroEncoder {
  toBuffer(value: unknown): Buffer;
}

function permanent(message: string, cause?: unknown): RxfError {
  return new RxfError(ErrorCodes.SINK_PERMANENT, message, { retriable: false, cause });
}

export class MessageEncoder {
  private readonly topicParts: TopicPart[];
  private readonly staticTopic: string | undefined;
  /** Confluent ids, when `wireFormat` is confluent (read once, at construction). */
  private readonly schemaIds: SchemaIdMap | undefined;

  constructor(
    private readonly config: Pick<
      KafkaSinkConfig,
      'topic' | 'keyField' | 'keyHeader' | 'format' | 'headers' | 'requestMaxEvents' | 'requestMaxBytes' | 'maxInFlight'
    > &
      Partial<Pick<KafkaSinkConfig, 'wireFormat' | 'schemaIds'>>,
    private readonly sinkId: string,
  ) {
    this.topicParts = parseTopic(config.topic);
    this.staticTopic = this.topicParts.every((p) => typeof p === 'string') ? config.topic : undefined;
    if (config.wireFormat === 'confluent' && config.format === 'avro') {
      if (config.schemaIds === undefined) throw permanent(`kafka sink ${sinkId}: wireFormat confluent needs schemaIds`);
      this.schemaIds = loadSchemaIds(config.schemaIds);
    }
  }

  encode(batch: EventBatch): ProduceRequest[] {
    const avroSchemaHeaders = this.config.format === 'avro' ? this.schemaHeaders(batch) : undefined;
    const encoder = avroSchemaHeaders ? (batch.schema?.type as AvroEncoder) : undefined;
    const prefix = encoder && this.schemaIds ? this.confluentPrefix(batch.schema as SchemaRef) : undefined;
    const schemaHeaders = prefix ? undefined : avroSchemaHeaders;
    const n = batch.events.length;
    const lanes = Math.max(1, Math.min(this.config.maxInFlight, Math.ceil(n / this.config.requestMaxEvents)));
    const byLane: Encoded[][] = Array.from({ length: lanes }, () => []);
    const { keyHeader, keyField } = this.config;
    const keyReader = keyHeader === undefined && keyField !== '' && batch.schema ? encodedKeyReader(batch.schema, keyField) : undefined;
    let nullKeys = 0;
    for (const event of batch.events) {
      const encodedRecord = event.encodedRecord?.();
      const body = encoder ? (encodedRecord ?? this.avroValue(encoder, event, batch.schema as SchemaRef)) : event.body;
      const value = prefix ? framed(prefix, body) : body;
      const key = this.keyOf(event, keyReader, encodedRecord);
      const headers: Record<string, string> = this.config.headers ? { ...peekHeaders(event) } : {};
      headers[HEADER_EVENT_ID] = event.id;
      if (schemaHeaders) Object.assign(headers, schemaHeaders);
      const lane = lanes === 1 ? 0 : key === null ? nullKeys++ % lanes : laneOfKey(key, lanes);
      const size = value.length + (key === null ? 0 : key.length);
      (byLane[lane] as Encoded[]).push({ topic: this.topicOf(event), message: { key, value, headers }, size });
    }
    const requests: ProduceRequest[] = [];
    for (let lane = 0; lane < lanes; lane++) this.cutLane(byLane[lane] as Encoded[], lane, requests);
    return requests;
  }

  /** Cuts one lane's messages, in order, into requests of even size within the count and byte limits. */
  private cutLane(messages: Encoded[], lane: number, out: ProduceRequest[]): void {
    if (messages.length === 0) return;
    const { requestMaxBytes } = this.config;
    // r requests of floor(n/r) events, the first n % r of them one more.
    const count = Math.ceil(messages.length / this.config.requestMaxEvents);
    const base = Math.floor(messages.length / count);
    const larger = messages.length % count;
    let perRequest = larger > 0 ? base + 1 : base;
    const first = out.length;
    let byTopic = new Map<string, KafkaMessage[]>();
    let events = 0;
    let bytes = 0;
    const cut = () => {
      out.push({ topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })), events, lane });
      if (out.length - first >= larger) perRequest = base;
      byTopic = new Map();
      events = 0;
      bytes = 0;
    };
    for (const { topic, message, size } of messages) {
      if (events > 0 && (events >= perRequest || bytes + size > requestMaxBytes)) cut();
      let list = byTopic.get(topic);
      if (!list) {
        list = [];
        byTopic.set(topic, list);
      }
      list.push(message);
      events++;
      bytes += size;
    }
    cut();
  }

  private topicOf(event: FlumeEvent): string {
    if (this.staticTopic !== undefined) return this.staticTopic;
    let topic = '';
    for (const p of this.topicParts) topic += typeof p === 'string' ? p : (peekHeaders(event)[p.header] ?? '');
    if (topic === '')
      throw permanent(`kafka sink ${this.sinkId}: topic template "${this.config.topic}" expands to nothing for event ${event.id}`);
    return topic;
  }

  private keyOf(event: FlumeEvent, keyReader: EncodedKeyReader | undefined, encodedRecord: Buffer | undefined): string | null {
    const { keyHeader, keyField } = this.config;
    if (keyHeader !== undefined) return peekHeaders(event)[keyHeader] ?? null;
    if (keyField === '') return null;
    let v = keyReader && encodedRecord ? keyReader(encodedRecord) : undefined;
    if (v === undefined) {
      const record = event.record;
      if (record === undefined) return null;
      v = record[keyField];
    }
    return v === undefined || v === null ? null : String(v);
  }

  private avroValue(encoder: AvroEncoder, event: FlumeEvent, schema: SchemaRef): Buffer {
    if (event.record === undefined)
      throw permanent(`kafka sink ${this.sinkId}: avro format needs a parsed record; event ${event.id} has none`);
    try {
      return encoder.toBuffer(event.record);
    } catch (err) {
      throw permanent(
        `kafka sink ${this.sinkId}: cannot encode event ${event.id} with Avro schema ${schema.name}: ${(err as Error).message}`,
        err,
      );
    }
  }

  private confluentPrefix(schema: SchemaRef): Buffer {
    const version = (schema as { version?: unknown }).version;
    const id = typeof version === 'number' ? this.schemaIds?.idOf(schema.name, version) : undefined;
    if (id === undefined) {
      throw permanent(
        `kafka sink ${this.sinkId}: no Confluent schema id for ${schema.name} v${String(version)} in ${this.schemaIds?.file} (wireFormat confluent)`,
      );
    }
    return confluentHeader(id);
  }

  private schemaHeaders(batch: EventBatch): Record<string, string> {
    const schema = batch.schema;
    if (!schema || typeof (schema.type as Partial<AvroEncoder> | undefined)?.toBuffer !== 'function') {
      throw permanent(`kafka sink ${this.sinkId}: avro format needs a batch schema (source ${batch.sourceId} sent a batch without one)`);
    }
    const version = (schema as { version?: unknown }).version;
    const headers: Record<string, string> = {
      [HEADER_SCHEMA]: schema.name,
      [HEADER_SCHEMA_FINGERPRINT]: schemaFingerprintHex(schema.schema),
    };
    if (typeof version === 'number') headers[HEADER_SCHEMA_VERSION] = String(version);
    return headers;
  }
}

/** The kafka sink's config: defaults, accepted forms, and the exact message for each mistake. */
import { describe, expect, it } from 'vitest';
import { kafkaSink } from '../../../src/sinks/kafka/index.js';

function issues(input: unknown): string[] {
  const r = kafkaSink.configSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const ok = { brokers: 'h:1', topic: 't' };

describe('kafka sink config', () => {
  it('has type kafka and safe defaults (acks all, keyed by car, text values, headers carried)', () => {
    expect(kafkaSink.type).toBe('kafka');
    expect(kafkaSink.configSchema.parse(ok)).toEqual({
      brokers: ['h:1'],
      topic: 't',
      keyField: 'car_number',
      format: 'text',
      headers: true,
      acks: -1,
      compression: 'none',
      requestMaxEvents: 1000,
      requestMaxBytes: 1048576,
      maxInFlight: 5,
      requestTimeoutMs: 30000,
      connectionTimeoutMs: 3000,
      producerThread: 'worker',
      clientId: 'rxflume',
      wireFormat: 'rxflume',
    });
  });

  it('accepts brokers comma-separated (as an env variable gives them) or as a list, acks 1 or "all", byte units, TLS and SASL', () => {
    const c = kafkaSink.configSchema.parse({
      ...ok,
      brokers: ' a:9092, b:9093 ',
      acks: 1,
      requestMaxBytes: '512KiB',
      ssl: {},
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    expect(c.brokers).toEqual(['a:9092', 'b:9093']);
    expect(c.acks).toBe(1);
    expect(c.requestMaxBytes).toBe(524288);
    expect(c.ssl).toEqual({ enabled: true, rejectUnauthorized: true });
    expect(kafkaSink.configSchema.parse({ ...ok, brokers: ['a:1'], acks: 'all' }).acks).toBe(-1);
    expect(kafkaSink.configSchema.parse({ ...ok, topic: '%{logType}.v1' }).topic).toBe('%{logType}.v1');
  });

  const table: Array<[unknown, string[]]> = [
    [
      {},
      [
        'brokers: required: broker addresses, e.g. "127.0.0.1:9092" or a list',
        'topic: required: the topic, e.g. SmartCar-Topic or %{logType}',
      ],
    ],
    [{ ...ok, brokers: '' }, ['brokers: required: at least one broker address host:port']],
    [{ ...ok, brokers: ['a:1', 'b'] }, ['brokers: "b" is not host:port']],
    [{ ...ok, topic: 'a b' }, ['topic: must be topic characters [A-Za-z0-9._-] and %{header} escapes']],
    [{ ...ok, acks: 0 }, ['acks: acks 0 gives no delivery confirmation (events could be lost); use "all" or 1']],
    [{ ...ok, acks: 2 }, ['acks: must be "all" (or -1) or 1']],
    [{ ...ok, compression: 'snappy' }, ['compression: must be "none" or "gzip"']],
    [{ ...ok, format: 'json' }, ['format: must be "text" or "avro"']],
    [{ ...ok, maxInFlight: 0 }, ['maxInFlight: must be >= 1']],
    [{ ...ok, requestMaxBytes: 'lots' }, ['requestMaxBytes: "lots" is not a byte size (use a number or e.g. 64MiB, 512KB)']],
    [{ ...ok, requestTimeoutMs: 10 }, ['requestTimeoutMs: must be at least 100']],
    [
      { ...ok, sasl: { mechanism: 'oauth' } },
      ['sasl.mechanism: must be "plain", "scram-sha-256" or "scram-sha-512"', 'sasl.username: required', 'sasl.password: required'],
    ],
    [{ ...ok, ssl: { cert: 'c.pem' } }, ['ssl: cert and key go together (mutual TLS needs both)']],
    [{ ...ok, producerThread: 'both' }, ['producerThread: must be "worker" or "main"']],
    [{ ...ok, linger: 5 }, [': Unrecognized key: "linger"']],
    [{ ...ok, wireFormat: 'avro' }, ['wireFormat: must be "rxflume" or "confluent"']],
    [
      { ...ok, wireFormat: 'confluent' },
      ['wireFormat: confluent needs format: avro', 'schemaIds: required with wireFormat confluent: a file of schema ids'],
    ],
    [
      { ...ok, format: 'avro', wireFormat: 'confluent', schemaIds: '/nonexistent/ids.yaml' },
      ["schemaIds: schema id file /nonexistent/ids.yaml: ENOENT: no such file or directory, open '/nonexistent/ids.yaml'"],
    ],
  ];
  it.each(table)('%j', (input, expected) => {
    expect(issues(input)).toEqual(expected);
  });
});

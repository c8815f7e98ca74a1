/** Batch → produce requests: the cut by count and bytes, keys, topics, and the permanent failures. */
import { describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import { MessageEncoder } from '../../../src/sinks/kafka/messages.js';
import { drivingBatch, drivingSchema, sinkConfig } from './support.js';

const encoder = (options: Record<string, unknown>) => new MessageEncoder(sinkConfig({ brokers: 'h:1', topic: 't', ...options }), 'k');

describe('kafka message encoding', () => {
  it('cuts a batch into requests by event count, evenly, in batch order', () => {
    const requests = encoder({ requestMaxEvents: 4, maxInFlight: 1 }).encode(drivingBatch(0, 10));
    expect(requests.map((r) => [r.lane, r.events])).toEqual([
      [0, 4],
      [0, 3],
      [0, 3],
    ]);
    const ids = requests.flatMap((r) => r.topicMessages.flatMap((t) => t.messages.map((m) => m.headers?.['rxflume.event.id'])));
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `driving:test:${i}`));
  });

  it('puts every event of one key in one lane, in batch order, and the same batch always the same way', () => {
    const batch = drivingBatch(0, 7000);
    const requests = encoder({}).encode(batch);
    expect(new Set(requests.map((r) => r.lane))).toEqual(new Set([0, 1, 2, 3, 4]));
    const laneOfCar = new Map<string, number>();
    const seqOfCar = new Map<string, number[]>();
    for (const r of requests) {
      expect(r.events).toBeLessThanOrEqual(1000);
      for (const m of r.topicMessages.flatMap((t) => t.messages)) {
        const car = m.key as string;
        expect(laneOfCar.get(car) ?? r.lane).toBe(r.lane);
        laneOfCar.set(car, r.lane);
        seqOfCar.set(car, [...(seqOfCar.get(car) ?? []), Number(String(m.headers?.['rxflume.event.id']).split(':')[2])]);
      }
    }
    expect([...seqOfCar.values()].flat()).toHaveLength(7000);
    for (const seq of seqOfCar.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
    // A lane's requests come in lane order and are split evenly.
    for (let lane = 0; lane < 5; lane++) {
      const sizes = requests.filter((r) => r.lane === lane).map((r) => r.events);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    const shape = (rs: typeof requests) => rs.map((r) => [r.lane, r.topicMessages.flatMap((t) => t.messages.map((m) => m.key))]);
    expect(shape(encoder({}).encode(batch))).toEqual(shape(requests));
  });

  it('makes a write that fits one request one request, and spreads null keys round-robin', () => {
    const lanesOf = (options: Record<string, unknown>, n: number) =>
      encoder(options)
        .encode(drivingBatch(0, n))
        .map((r) => [r.lane, r.events]);
    expect(lanesOf({}, 250)).toEqual([[0, 250]]);
    expect(lanesOf({}, 1000)).toEqual([[0, 1000]]);
    expect(new Set(lanesOf({}, 2500).map(([lane]) => lane)).size).toBe(3);
    expect(lanesOf({ keyField: '', requestMaxEvents: 100 }, 500)).toEqual([0, 1, 2, 3, 4].map((lane) => [lane, 100]));
  });

  it('cuts by key + value bytes, never leaving an oversized event out', () => {
    const batch = drivingBatch(0, 50);
    const limit = 100; // two to three driving lines with their keys
    const requests = encoder({ requestMaxBytes: limit }).encode(batch);
    const sizes = requests.map((r) =>
      r.topicMessages.flatMap((t) => t.messages).map((m) => Buffer.byteLength(m.value) + Buffer.byteLength(m.key ?? '')),
    );
    expect(sizes.flat()).toHaveLength(50);
    for (let i = 0; i < sizes.length; i++) {
      const total = (sizes[i] as number[]).reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(limit);
      // A request is cut only when the next event would not have fitted.
      if (i + 1 < sizes.length) expect(total + (sizes[i + 1]?.[0] as number)).toBeGreaterThan(limit);
    }
    expect(
      encoder({ requestMaxBytes: 1 })
        .encode(drivingBatch(0, 6))
        .map((r) => r.events),
    ).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('groups by the expanded topic and falls back to no key without a record or with keyField ""', () => {
    const batch = drivingBatch(0, 4);
    (batch.events[1] as { headers: Record<string, string> }).headers = { logType: 'other' };
    const [request] = encoder({ topic: 'x-%{logType}' }).encode(batch);
    expect(request?.topicMessages.map((t) => [t.topic, t.messages.length])).toEqual([
      ['x-driver-realtime-log', 3],
      ['x-other', 1],
    ]);
    const noRecord = { ...batch, events: batch.events.map((e) => ({ ...e, record: undefined })) };
    expect(encoder({}).encode(noRecord)[0]?.topicMessages[0]?.messages[0]?.key).toBeNull();
    expect(encoder({ keyField: '' }).encode(batch)[0]?.topicMessages[0]?.messages[0]?.key).toBeNull();
    expect(encoder({ headers: false }).encode(batch)[0]?.topicMessages[0]?.messages[0]?.headers).toEqual({
      'rxflume.event.id': 'driving:test:0',
    });
  });

  it('fails permanently on what can never be sent', () => {
    const batch = drivingBatch(0, 2);
    const permanent = (fn: () => unknown, message: RegExp) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(RxfError);
        expect((err as RxfError).retriable).toBe(false);
        expect((err as Error).message).toMatch(message);
        return;
      }
      throw new Error('did not throw');
    };
    permanent(
      () => encoder({ topic: '%{missing}' }).encode(batch),
      /topic template "%\{missing\}" expands to nothing for event driving:test:0/,
    );
    permanent(
      () => encoder({ format: 'avro' }).encode({ sourceId: 's', events: batch.events }),
      /avro format needs a batch schema \(source s/,
    );
    const noRecord = { ...batch, events: batch.events.map((e) => ({ ...e, record: undefined })) };
    permanent(() => encoder({ format: 'avro' }).encode(noRecord), /needs a parsed record; event driving:test:0 has none/);
    const bad = { ...batch, events: batch.events.map((e) => ({ ...e, record: { ...e.record, speed: 'fast' } })), schema: drivingSchema };
    permanent(() => encoder({ format: 'avro' }).encode(bad), /cannot encode event driving:test:0 with Avro schema smartcar.DrivingEvent/);
  });
});

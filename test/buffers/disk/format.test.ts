/** Frame framing (length + CRC-32) and the batch payload codec. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, PayloadWriter, payloadEventCount } from '../../../src/buffers/disk/batch-codec.js';
import { encodeFrames, FRAME_HEADER_BYTES, scanFrame, segmentFileName, segmentSeq } from '../../../src/buffers/disk/segment-format.js';
import type { Ack, EventBatch, FlumeEvent, SchemaRef } from '../../../src/core/event.js';
import { eventId } from '../../../src/core/event.js';
import { makeBatch, ReadingParser } from '../../operators/support.js';

const NO_ACK: Ack = { settled: false, settle() {} };

describe('frames', () => {
  it('round-trips payloads and reports where each frame ends', () => {
    const payloads = [Buffer.from('one'), Buffer.alloc(70_000, 7), Buffer.from('three')];
    const bytes = encodeFrames(payloads);
    let at = 0;
    const got: Buffer[] = [];
    for (;;) {
      const scan = scanFrame(bytes, at);
      if (scan.kind !== 'frame') {
        expect(scan.kind).toBe('partial');
        break;
      }
      got.push(scan.payload);
      at = scan.next;
    }
    expect(got).toEqual(payloads);
    expect(at).toBe(bytes.length);
  });

  it('tells a torn frame from an incomplete one', () => {
    const bytes = encodeFrames([Buffer.from('hello world')]);
    expect(scanFrame(bytes, 0, FRAME_HEADER_BYTES - 1)).toEqual({ kind: 'partial', need: FRAME_HEADER_BYTES });
    expect(scanFrame(bytes, 0, bytes.length - 1).kind).toBe('partial');
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(FRAME_HEADER_BYTES + 3) ^ 0x40, FRAME_HEADER_BYTES + 3);
    expect(scanFrame(flipped, 0)).toEqual({ kind: 'torn', reason: 'checksum mismatch' });
    const zeroLength = Buffer.alloc(16);
    expect(scanFrame(zeroLength, 0).kind).toBe('torn');
  });

  it('names segments so that name order is append order', () => {
    expect(segmentFileName(12)).toBe('0000000000000012.wal');
    expect(segmentSeq('0000000000000012.wal')).toBe(12);
    expect(segmentSeq('positions.json')).toBeUndefined();
    expect(segmentFileName(9) < segmentFileName(10)).toBe(true);
  });
});

describe('batch codec', () => {
  const parser = new ReadingParser();

  function parsedBatch(bodies: string[]): EventBatch {
    const batch = makeBatch('src', bodies, parser.schema);
    for (const e of batch.events) {
      const r = parser.parse(e.body);
      if (r.ok) e.record = r.record;
      e.headers = { timestamp: '1700000000000', host: 'h1', empty: '' };
    }
    return batch;
  }

  it('keeps ids, positions, headers, bodies and records', () => {
    const batch = parsedBatch(['car1,10', 'car2,20', 'cär3,30']);
    const payload = encodeBatch(batch, new PayloadWriter());
    expect(payloadEventCount(payload)).toBe(3);
    const decoded = decodeBatch(Buffer.from(payload), 'src', parser.schema, NO_ACK);
    expect(decoded.schemaMatches).toBe(true);
    expect(decoded.bytes).toBe(batch.events.reduce((n, e) => n + e.body.length, 0));
    decoded.events.forEach((got, i) => {
      const want = batch.events[i] as FlumeEvent;
      expect(got.id).toBe(want.id);
      expect(got.position).toEqual(want.position);
      expect(got.headers).toEqual(want.headers);
      expect(got.body.toString()).toBe(want.body.toString());
      expect(got.record).toEqual(want.record);
      expect(got.encodedRecord()).toEqual((parser.schema.type as avro.Type).toBuffer(want.record));
    });
  });

  it('stores an id that does not follow the source:file:offset pattern, and events without records', () => {
    const events: FlumeEvent[] = [
      { id: 'custom-id-1', body: Buffer.from('x'), headers: {}, position: { fileKey: 'k1', path: '/a', offset: 0, end: 2 }, ack: NO_ACK },
      {
        id: eventId('src', 'k2', 5),
        body: Buffer.from('y'),
        headers: {},
        position: { fileKey: 'k2', path: '/b', offset: 5, end: 7 },
        ack: NO_ACK,
      },
    ];
    const decoded = decodeBatch(encodeBatch({ sourceId: 'src', events }, new PayloadWriter()), 'src', undefined, NO_ACK);
    expect(decoded.events.map((e) => e.id)).toEqual(['custom-id-1', 'src:k2:5']);
    expect(decoded.events.map((e) => e.position.path)).toEqual(['/a', '/b']);
    expect(decoded.events.every((e) => e.record === undefined)).toBe(true);
  });

  it('flags records stored under another schema (the reader re-parses them)', () => {
    const other: SchemaRef = {
      name: 'test.Other',
      type: avro.Type.forSchema({ type: 'record', name: 'Other', namespace: 'test', fields: [{ name: 'x', type: 'int' }] }),
      schema: { type: 'record', name: 'Other', namespace: 'test', fields: [{ name: 'x', type: 'int' }] },
    };
    const decoded = decodeBatch(encodeBatch(parsedBatch(['car1,10']), new PayloadWriter()), 'src', other, NO_ACK);
    expect(decoded.schemaMatches).toBe(false);
    expect(decoded.events[0]?.record).toBeUndefined();
    expect(decoded.events[0]?.encodedRecord()).toBeUndefined();
  });

  it('rejects a payload that does not decode', () => {
    const payload = encodeBatch(parsedBatch(['car1,10']), new PayloadWriter());
    expect(() => decodeBatch(payload.subarray(0, payload.length - 3), 'src', parser.schema, NO_ACK)).toThrow(RangeError);
  });
});

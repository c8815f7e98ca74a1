// The Avro format copies records held encoded (from the parse worker) in runs: records adjacent
// in one parse batch's buffer go in one copy. Mixed sources, record objects between them, block
// cuts and a growing scratch must still give every record once, in order.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../../src/buffers/memory.js';
import { canHoldEncodedRecord, type EventBatch, type FlumeEvent } from '../../../src/core/event.js';
import { FileProgress } from '../../../src/core/progress.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { createFormat } from '../../../src/sinks/formats/index.js';
import { admitLines } from '../../../src/sources/emit.js';
import { SplitLine } from '../../../src/sources/line-splitter.js';
import { tempDir } from '../../support/wait.js';
import { carRecord, carSchema, decodeAvroFile } from '../hdfs/support.js';

type CarType = { toBuffer(v: unknown): Buffer; decode(buf: Buffer, pos?: number): { value: unknown; offset: number } };

/** Line events whose records are held encoded in `parts` buffers (each a parse batch), in order. */
async function heldEvents(count: number, parts: number): Promise<FlumeEvent[]> {
  const lines = Array.from({ length: count }, (_, i) => SplitLine.of(i * 10, i * 10 + 10, Buffer.from(`line-${i}`)));
  const admitted = await admitLines(
    lines,
    { sourceId: 's', fileKey: 'k', path: '/in' },
    new FileProgress(0),
    new FlowGate({ maxEvents: count, maxBytes: 1 << 24 }),
    new Metrics(),
  );
  if (admitted.kind !== 'batch') throw new Error('not admitted');
  const type = carSchema.type as CarType;
  const per = Math.ceil(count / parts);
  for (let p = 0; p < parts; p++) {
    const slice = admitted.batch.events.slice(p * per, (p + 1) * per);
    const encoded = slice.map((_, i) => type.toBuffer(carRecord(p * per + i)));
    // A gap before each part: runs must follow the offsets, not assume a part starts at 0.
    const bytes = Buffer.concat([Buffer.alloc(3), ...encoded]);
    let at = 3;
    slice.forEach((event, i) => {
      const length = (encoded[i] as Buffer).length;
      if (canHoldEncodedRecord(event)) event.holdEncodedRecord({ bytes, decoder: type }, at, at + length);
      at += length;
    });
  }
  return admitted.batch.events;
}

describe('Avro format, records held encoded', () => {
  it('writes every record once, in order, across parse batches, record objects and block cuts', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const events = await heldEvents(3000, 7);
      // Some events carry a record object instead (set after the encoding: it wins).
      for (const i of [0, 5, 428, 429, 1500, 2999]) (events[i] as { record?: Record<string, unknown> }).record = carRecord(i);
      const batch: EventBatch = { sourceId: 's', events, schema: carSchema };
      for (const codec of ['null', 'deflate'] as const) {
        const format = createFormat('avro', codec);
        format.check(batch);
        const encoder = format.open(batch);
        const prepared = format.prepare?.(batch, events);
        const body = prepared && encoder.encodePrepared ? await encoder.encodePrepared(prepared) : await encoder.encode(events);
        const file = join(dir, `${codec}.avro`);
        await writeFile(file, Buffer.concat([encoder.header(), body]));
        const decoded = await decodeAvroFile(file);
        expect(decoded.records).toEqual(Array.from({ length: 3000 }, (_, i) => carRecord(i)));
      }
    } finally {
      await cleanup();
    }
  });
});

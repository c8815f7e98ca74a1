import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type avro from 'avsc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import type { EventBatch, FlumeEvent } from '../../../src/core/event.js';
import { createFormat } from '../../../src/sinks/formats/index.js';
import { tempDir } from '../../support/wait.js';
import { carRecord, carSchema, decodeAvroFile, makeEvent } from '../hdfs/support.js';

/** An event carrying its record only as the encoding a parse worker would hand over. */
function encodedEvent(i: number): FlumeEvent {
  const bytes = (carSchema.type as avro.Type).toBuffer(carRecord(i));
  const event = makeEvent(i);
  return Object.assign(event, { record: undefined, encodedRecord: () => bytes });
}

describe('Avro format with records that arrive encoded', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  for (const codec of ['deflate', 'snappy', 'null'] as const) {
    it(`copies the encodings (mixed with plain records, in order) into a readable file, codec ${codec}`, async () => {
      const format = createFormat('avro', codec);
      const events = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? makeEvent(i, { record: carRecord(i) }) : encodedEvent(i)));
      const batch: EventBatch = { sourceId: 'src', events, schema: carSchema };
      format.check(batch);
      const encoder = format.open(batch);
      const file = join(dir, `mixed-${codec}.avro`);
      await writeFile(
        file,
        Buffer.concat([encoder.header(), await encoder.encode(events.slice(0, 1000)), await encoder.encode(events.slice(1000))]),
      );
      const { records } = await decodeAvroFile(file);
      expect(records).toEqual(events.map((_, i) => carRecord(i)));
    });
  }

  it('accepts an event whose record is held only encoded, and still refuses one with neither', () => {
    const format = createFormat('avro', 'null');
    expect(() => format.check({ sourceId: 'src', events: [encodedEvent(1)], schema: carSchema })).not.toThrow();
    expect(() => format.check({ sourceId: 'src', events: [makeEvent(2)], schema: carSchema })).toThrow(RxfError);
  });
});

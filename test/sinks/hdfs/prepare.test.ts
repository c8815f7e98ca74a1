// Work ahead in the HDFS sink (prepare → write): the same files as without it, the fallback when
// the batch routes differently at write time, and encoding failures reported by the write.
import { describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import type { EventBatch } from '../../../src/core/event.js';
import { finalFiles, manualClock, startSink, useSinkDirs } from './harness.js';
import { avroBatch, carRecord, decodeAvroFile, listTree, makeEvent } from './support.js';

const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => carRecord(from + i));

describe('hdfs sink work ahead (prepare)', () => {
  const dirs = useSinkDirs();

  for (const codec of ['deflate', 'snappy'] as const) {
    it(`prepared ${codec} batches give the same records, in order, as unprepared ones`, async () => {
      const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro', codec, path: '/out/%{k}' }));
      const batches = [0, 1, 2, 3].map((b) => avroBatch(b * 700, 700, { k: b % 2 === 0 ? 'even' : 'odd' }));
      // Queued all at once, as fan-out does, then written one after the other; the third is not prepared.
      for (const [i, batch] of batches.entries()) if (i !== 2) sink.prepare?.(batch);
      for (const batch of batches) await sink.write(batch);
      await sink.close();
      const files = await finalFiles(dirs.root);
      expect(files.map((f) => f.slice(dirs.root.length).replace(/\.[^/]*$/, ''))).toEqual(['/out/even/FlumeData', '/out/odd/FlumeData']);
      const [even, odd] = await Promise.all(files.map((f) => decodeAvroFile(f)));
      expect(even?.codec).toBe(codec);
      expect(even?.records).toEqual([...records(0, 700), ...records(1400, 700)]);
      expect(odd?.records).toEqual([...records(700, 700), ...records(2100, 700)]);
    });
  }

  it('the write frames the blocks prepared earlier (records were encoded when the batch was queued)', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    const batch = avroBatch(0, 20);
    sink.prepare?.(batch);
    // Changed after prepare: a write that encoded again would write this value.
    (batch.events[0] as { record?: Record<string, unknown> }).record = carRecord(99);
    await sink.write(batch);
    await sink.close();
    const [file] = await finalFiles(dirs.root);
    expect((await decodeAvroFile(file as string)).records).toEqual(records(0, 20));
  });

  it('a batch that routes elsewhere at write time (the clock moved) is encoded again, into the right bucket', async () => {
    const clock = manualClock(Date.UTC(2016, 0, 1, 23, 59, 59));
    const { sink } = dirs.track(
      await startSink(
        dirs.root,
        dirs.state,
        { format: 'avro', path: '/out/%Y%m%d', useLocalTimeStamp: true, timeZone: 'UTC' },
        { now: clock.now },
      ),
    );
    const batch = avroBatch(0, 50);
    sink.prepare?.(batch); // routed to 20160101
    clock.advance(2000); // the write happens on the next day
    await sink.write(batch);
    await sink.close();
    expect((await listTree(dirs.root)).map((f) => f.split('/').slice(0, 2).join('/'))).toEqual(['out/20160102']);
    const [file] = await finalFiles(dirs.root);
    expect((await decodeAvroFile(file as string)).records).toEqual(records(0, 50));
  });

  it('a record the schema cannot encode fails the write permanently, prepared or not', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    const bad: EventBatch = {
      ...avroBatch(0, 3),
      events: [...avroBatch(0, 2).events, makeEvent(2, { record: { ...carRecord(2), tire_fl: 'not an int' } })],
    };
    sink.prepare?.(bad);
    const err = await sink.write(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);
    expect((err as RxfError).retriable).toBe(false);
    expect((err as RxfError).message).toMatch(/cannot encode a record with Avro schema/);
    // The sink goes on with the next batch.
    await sink.write(avroBatch(10, 5));
    await sink.close();
    const [file] = await finalFiles(dirs.root);
    expect((await decodeAvroFile(file as string)).records).toEqual(records(10, 5));
  });

  it('prepare ignores what the write will refuse (no schema) and never throws', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    const noSchema: EventBatch = { sourceId: 'src', events: avroBatch(0, 2).events };
    expect(() => sink.prepare?.(noSchema)).not.toThrow();
    await expect(sink.write(noSchema)).rejects.toThrow(/needs a batch schema/);
  });
});

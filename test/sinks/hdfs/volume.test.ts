import { describe, expect, it } from 'vitest';
import type { EventBatch, FlumeEvent } from '../../../src/core/event.js';
import { finalFiles, inUseFiles, rolled, startSink, useSinkDirs } from './harness.js';
import { avroBatch, decodeAvroFile, makeEvent, readLines } from './support.js';

const TOTAL = 200_000;
const BATCH = 10_000;

describe('hdfs sink volume', () => {
  const dirs = useSinkDirs();

  it(`text: ${TOTAL} events over several rolled files, each exactly once and in order`, async () => {
    const { sink, ctx } = await startSink(dirs.root, dirs.state, { path: '/v/%{part}', rollSize: '512KiB', fileSuffix: '.log' });
    for (let from = 0; from < TOTAL; from += BATCH) {
      const events: FlumeEvent[] = [];
      for (let i = from; i < from + BATCH; i++)
        events.push(
          makeEvent(i, {
            body: `20160101000000,K${String(i).padStart(7, '0')},81,97,88,90,1,1,1,1,A,A,83`,
            headers: { part: i % 2 === 0 ? 'even' : 'odd' },
          }),
        );
      await sink.write({ sourceId: 'src', events } satisfies EventBatch);
    }
    await sink.close();
    expect(await inUseFiles(dirs.root)).toEqual([]);
    const files = await finalFiles(dirs.root);
    expect(files.length).toBeGreaterThan(4);
    expect(await rolled(ctx, 'size')).toBe(files.length - 2);
    let count = 0;
    for (const part of ['even', 'odd']) {
      const seen: number[] = [];
      for (const f of files.filter((x) => x.includes(`/v/${part}/`))) {
        for (const line of await readLines(f)) seen.push(Number(line.split(',')[1]?.slice(1)));
      }
      const expected = Array.from({ length: TOTAL / 2 }, (_, k) => 2 * k + (part === 'odd' ? 1 : 0));
      expect(seen).toEqual(expected);
      count += seen.length;
    }
    expect(count).toBe(TOTAL);
  });

  it(`avro: ${TOTAL} records over several rolled files decode exactly once`, async () => {
    const { sink } = await startSink(dirs.root, dirs.state, { format: 'avro', rollSize: 150_000 });
    for (let from = 0; from < TOTAL; from += BATCH) await sink.write(avroBatch(from, BATCH));
    await sink.close();
    const files = await finalFiles(dirs.root);
    expect(files.length).toBeGreaterThan(3);
    const carNumbers: string[] = [];
    for (const f of files) {
      for (const r of (await decodeAvroFile(f)).records as Array<{ car_number: string }>) carNumbers.push(r.car_number);
    }
    expect(carNumbers).toEqual(Array.from({ length: TOTAL }, (_, i) => `K${String(i % 10_000).padStart(4, '0')}`));
  });
});

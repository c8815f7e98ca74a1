import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import { waitFor } from '../../support/wait.js';
import { finalFiles, inUseFiles, manualClock, rolled, startSink, useSinkDirs } from './harness.js';
import { avroBatch, carRecord, decodeAvroFile, listTree, readLines, textBatch } from './support.js';

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line-${from + i}`);

async function allLines(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) out.push(...(await readLines(f)));
  return out;
}

describe('hdfs sink (local backend)', () => {
  const dirs = useSinkDirs();

  it('writes text lines to an in-use file and publishes it complete on close', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, {}, { now: () => 1_700_000_000_000 }));
    await sink.write(textBatch(0, 3));
    await sink.write(textBatch(3, 2));
    expect(await listTree(dirs.root)).toEqual(['out/FlumeData.test-agent.1700000000000.tmp']);
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.1700000000000.tmp'))).toEqual(lines(0, 5));
    await sink.close();
    expect(await listTree(dirs.root)).toEqual(['out/FlumeData.test-agent.1700000000000']);
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.1700000000000'))).toEqual(lines(0, 5));
    expect(await rolled(ctx, 'close')).toBe(1);
  });

  it('records the durable length of every open file in its state', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { filePrefix: 'p' }, { now: () => 5 }));
    await sink.write(textBatch(0, 2));
    const saved = JSON.parse(await (await import('node:fs/promises')).readFile(join(dirs.state, 'sink-hdfs1.json'), 'utf8'));
    expect(saved.state.files).toEqual([
      { dir: '/out', prefix: 'p', inUse: '/out/p.test-agent.5.tmp', final: '/out/p.test-agent.5', durable: 14 },
    ]);
  });

  for (const codec of ['deflate', 'snappy', 'null'] as const) {
    it(`writes Avro container files that avsc decodes exactly (codec ${codec})`, async () => {
      const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro', codec, fileSuffix: '.avro' }));
      await sink.write(avroBatch(0, 100));
      await sink.write(avroBatch(100, 2500));
      await sink.close();
      const files = await finalFiles(dirs.root);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.avro$/);
      const decoded = await decodeAvroFile(files[0] as string);
      expect(decoded.codec).toBe(codec);
      expect(decoded.records).toEqual(Array.from({ length: 2600 }, (_, i) => carRecord(i)));
    });
  }

  it('rolls an Avro file when a batch brings another schema', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    await sink.write(avroBatch(0, 10));
    const other = avroBatch(10, 5);
    const schema = { ...other.schema!, schema: { ...(other.schema!.schema as object), doc: 'v2' } };
    await sink.write({ ...other, schema });
    await sink.close();
    expect(await rolled(ctx, 'schema')).toBe(1);
    const files = await finalFiles(dirs.root);
    expect(files).toHaveLength(2);
    const decoded = await Promise.all(files.map(decodeAvroFile));
    expect(decoded.flatMap((d) => d.records)).toEqual(Array.from({ length: 15 }, (_, i) => carRecord(i)));
    expect(decoded.map((d) => (d.schema as { doc?: string }).doc)).toEqual([undefined, 'v2']);
  });

  it('rejects a batch without records in avro format as permanent and writes nothing', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    const err = await sink.write(textBatch(0, 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);
    expect((err as RxfError).retriable).toBe(false);
    expect(await listTree(dirs.root)).toEqual([]);
  });

  it('rolls by size after the batch that reaches rollSize', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { rollSize: 1000 }));
    // 20 lines of 'line-NNNN\n' (10 bytes) = 200 bytes per batch.
    for (let b = 0; b < 26; b++) await sink.write(textBatch(1000 + b * 20, 20));
    expect(await rolled(ctx, 'size')).toBe(5);
    await sink.close();
    const files = await finalFiles(dirs.root);
    expect(files).toHaveLength(6);
    expect(await inUseFiles(dirs.root)).toEqual([]);
    const { stat } = await import('node:fs/promises');
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    expect(sizes).toEqual([1000, 1000, 1000, 1000, 1000, 200]);
    expect(await allLines(files)).toEqual(lines(1000, 520));
  });

  it('rolls by count after the batch that reaches rollCount', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { rollCount: 50 }));
    for (let b = 0; b < 10; b++) await sink.write(textBatch(b * 20, 20));
    await sink.close();
    expect(await rolled(ctx, 'count')).toBe(3);
    const files = await finalFiles(dirs.root);
    const counts = await Promise.all(files.map(async (f) => (await readLines(f)).length));
    expect(counts).toEqual([60, 60, 60, 20]);
    expect(await allLines(files)).toEqual(lines(0, 200));
  });

  it('rolls by interval measured on the injected clock', async () => {
    const clock = manualClock();
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { rollInterval: 10 }, { now: clock.now }));
    await sink.write(textBatch(0, 5));
    clock.advance(5_000);
    await sink.write(textBatch(5, 5));
    expect(await finalFiles(dirs.root)).toEqual([]);
    clock.advance(5_000);
    await sink.write(textBatch(10, 5));
    expect(await rolled(ctx, 'interval')).toBe(1);
    const [first] = await finalFiles(dirs.root);
    expect(await readLines(first as string)).toEqual(lines(0, 10));
    expect(await inUseFiles(dirs.root)).toHaveLength(1);
  });

  it('rolls by interval on its timer without further writes', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { rollInterval: 0.05 }));
    await sink.write(textBatch(0, 5));
    await waitFor(async () => (await rolled(ctx, 'interval')) === 1, { what: 'interval roll' });
    expect(await inUseFiles(dirs.root)).toEqual([]);
    expect(await allLines(await finalFiles(dirs.root))).toEqual(lines(0, 5));
  });

  it('rolls after idleTimeout without writes, on the clock and on its timer', async () => {
    const clock = manualClock();
    const a = dirs.track(await startSink(join(dirs.root, 'a'), join(dirs.state, 'a'), { idleTimeout: 5 }, { now: clock.now }));
    await a.sink.write(textBatch(0, 2));
    clock.advance(4_000);
    await a.sink.write(textBatch(2, 2));
    clock.advance(4_000);
    await a.sink.write(textBatch(4, 2)); // 4 s idle: same file
    clock.advance(6_000);
    await a.sink.write(textBatch(6, 2)); // 6 s idle: roll first
    expect(await rolled(a.ctx, 'idle')).toBe(1);
    expect(await allLines(await finalFiles(join(dirs.root, 'a')))).toEqual(lines(0, 6));

    const b = dirs.track(await startSink(join(dirs.root, 'b'), join(dirs.state, 'b'), { idleTimeout: 0.05 }));
    await b.sink.write(textBatch(0, 3));
    await waitFor(async () => (await rolled(b.ctx, 'idle')) === 1, { what: 'idle roll' });
    expect(await inUseFiles(join(dirs.root, 'b'))).toEqual([]);
    expect(await allLines(await finalFiles(join(dirs.root, 'b')))).toEqual(lines(0, 3));
  });

  it('partitions by %{logType} and by the date of the timestamp header', async () => {
    const { sink, ctx } = dirs.track(
      await startSink(
        dirs.root,
        dirs.state,
        { path: '/pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d', filePrefix: '%{logType}', fileSuffix: '.log', timeZone: 'UTC' },
        { now: () => 7 },
      ),
    );
    const jan1 = String(Date.UTC(2016, 0, 1, 23, 59, 59));
    const jan2 = String(Date.UTC(2016, 0, 2, 0, 0, 0));
    await sink.write(textBatch(0, 3, { logType: 'car-batch-log', timestamp: jan1 }));
    await sink.write({
      sourceId: 'src',
      events: [
        ...textBatch(3, 2, { logType: 'car-batch-log', timestamp: jan2 }).events,
        ...textBatch(5, 1, { logType: 'driver', timestamp: jan1 }).events,
      ],
    });
    await sink.close();
    expect(await listTree(dirs.root)).toEqual([
      'pilot-pjt/collect/car-batch-log/wrk_date=20160101/car-batch-log.test-agent.7.log',
      'pilot-pjt/collect/car-batch-log/wrk_date=20160102/car-batch-log.test-agent.8.log',
      'pilot-pjt/collect/driver/wrk_date=20160101/driver.test-agent.9.log',
    ]);
    expect(await readLines(join(dirs.root, 'pilot-pjt/collect/car-batch-log/wrk_date=20160101/car-batch-log.test-agent.7.log'))).toEqual(
      lines(0, 3),
    );
    expect(await readLines(join(dirs.root, 'pilot-pjt/collect/car-batch-log/wrk_date=20160102/car-batch-log.test-agent.8.log'))).toEqual(
      lines(3, 2),
    );
    expect(await rolled(ctx, 'close')).toBe(3);
  });

  it('rolls the least recently written file past maxOpenFiles, never losing a batch', async () => {
    const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { path: '/out/%{k}', maxOpenFiles: 2 }));
    await sink.write(textBatch(0, 2, { k: 'a' }));
    await sink.write(textBatch(2, 2, { k: 'b' }));
    await sink.write(textBatch(4, 2, { k: 'a' }));
    await sink.write(textBatch(6, 2, { k: 'c' })); // b is the least recently written
    expect(await rolled(ctx, 'max-open-files')).toBe(1);
    expect((await finalFiles(dirs.root)).map((f) => basename(join(f, '..')))).toEqual(['b']);
    // One batch over three buckets with room for two: the overflow is rolled after the batch.
    await sink.write({
      sourceId: 's',
      events: [...textBatch(8, 1, { k: 'x' }).events, ...textBatch(9, 1, { k: 'y' }).events, ...textBatch(10, 1, { k: 'z' }).events],
    });
    expect((await inUseFiles(dirs.root)).length).toBeLessThanOrEqual(2);
    await sink.close();
    const all = (await allLines(await finalFiles(dirs.root))).sort();
    expect(all).toEqual(lines(0, 11).sort());
  });

  it('keeps two agents writing the same folder apart, even with the same clock', async () => {
    const a = dirs.track(await startSink(dirs.root, join(dirs.state, 'a'), {}, { agentId: 'agent-a', now: () => 42 }));
    const b = dirs.track(await startSink(dirs.root, join(dirs.state, 'b'), {}, { agentId: 'agent-b', now: () => 42 }));
    for (let i = 0; i < 5; i++) {
      await a.sink.write(textBatch(i * 10, 10));
      await b.sink.write(textBatch(1000 + i * 10, 10));
    }
    // A restart of agent a (crash, no close) must not touch agent b's in-use file.
    const a2 = dirs.track(await startSink(dirs.root, join(dirs.state, 'a'), {}, { agentId: 'agent-a', now: () => 43 }));
    expect(await readLines(join(dirs.root, 'out/FlumeData.agent-b.42.tmp'))).toEqual(lines(1000, 50));
    await b.sink.close();
    await a2.sink.close();
    expect(await listTree(dirs.root)).toEqual(['out/FlumeData.agent-a.42', 'out/FlumeData.agent-b.42']);
    expect(await readLines(join(dirs.root, 'out/FlumeData.agent-a.42'))).toEqual(lines(0, 50));
    expect(await readLines(join(dirs.root, 'out/FlumeData.agent-b.42'))).toEqual(lines(1000, 50));
  });

  it('never reuses a file name: a counter colliding with an existing file moves on', async () => {
    const a = await startSink(dirs.root, join(dirs.state, 'a'), { rollCount: 1 }, { now: () => 100 });
    await a.sink.write(textBatch(0, 1));
    await a.sink.write(textBatch(1, 1));
    await a.sink.close();
    const b = await startSink(dirs.root, join(dirs.state, 'b'), { rollCount: 1 }, { now: () => 100 });
    await b.sink.write(textBatch(2, 1));
    await b.sink.close();
    expect(await listTree(dirs.root)).toEqual([
      'out/FlumeData.test-agent.100',
      'out/FlumeData.test-agent.101',
      'out/FlumeData.test-agent.102',
    ]);
    expect(await allLines(await finalFiles(dirs.root))).toEqual(lines(0, 3));
  });

  it('refuses writes before start and after close; ignores empty batches', async () => {
    const { hdfsSink } = await import('../../../src/sinks/hdfs/index.js');
    const { testContext } = await import('../../support/context.js');
    const config = hdfsSink.configSchema.parse({ root: dirs.root, path: '/out' });
    const sink = hdfsSink.create(config, testContext('hdfs1', dirs.state));
    await expect(sink.write(textBatch(0, 1))).rejects.toThrow(/write before start/);
    await sink.start();
    await sink.write({ sourceId: 's', events: [] });
    expect(await listTree(dirs.root)).toEqual([]);
    await sink.close();
    await expect(sink.write(textBatch(0, 1))).rejects.toMatchObject({ code: 'RXF_SHUTDOWN' });
  });
});

import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import { rolled } from './harness.js';
import { avroBatch, carRecord, decodeAvroFile, readLines, textBatch } from './support.js';
import { published, useWebHdfs, writeWithRetry } from './webhdfs-harness.js';

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line-${from + i}`);

describe('hdfs sink over WebHDFS', () => {
  const hdfs = useWebHdfs();

  it('creates each file once, appends once per batch, and renames it complete at roll', async () => {
    const { sink, ctx } = await hdfs.sink({ rollSize: 1000 }, { now: () => 1_700_000_000_000 });
    // 'line-NNNN\n' = 10 bytes; 60 lines per batch = 600 bytes; two batches pass the 1000-byte roll.
    for (let b = 0; b < 5; b++) await sink.write(textBatch(1000 + b * 60, 60));
    const mid = await published(hdfs.root);
    expect(mid.finals).toEqual(['out/FlumeData.test-agent.1700000000000', 'out/FlumeData.test-agent.1700000000001']);
    expect(mid.inUse).toEqual(['out/FlumeData.test-agent.1700000000002.tmp']);
    expect(await ctx.metrics.value('rxflume_sink_files_open', { component_id: 'hdfs1' })).toBe(1);
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toHaveLength(3);
    const all: string[] = [];
    for (const f of finals) all.push(...(await readLines(join(hdfs.root, f))));
    expect(all).toEqual(lines(1000, 300));
    const e = hdfs.emulator;
    expect([e.count('CREATE', 'datanode'), e.count('APPEND', 'datanode'), e.count('RENAME')]).toEqual([3, 5, 3]);
    expect(e.count('TRUNCATE')).toBe(3); // the lease check before each publish, no cut needed
    expect(await rolled(ctx, 'size')).toBe(2);
    expect(await ctx.metrics.value('rxflume_sink_files_open', { component_id: 'hdfs1' })).toBe(0);
    expect(await ctx.metrics.value('rxflume_sink_connected', { component_id: 'hdfs1' })).toBe(1);
  });

  for (const codec of ['deflate', 'snappy', 'null'] as const) {
    it(`writes Avro container files that avsc decodes exactly (codec ${codec})`, async () => {
      const { sink } = await hdfs.sink({ format: 'avro', codec, fileSuffix: '.avro' });
      await sink.write(avroBatch(0, 1000));
      await sink.write(avroBatch(1000, 1500));
      await sink.close();
      const { finals } = await published(hdfs.root);
      expect(finals).toHaveLength(1);
      const decoded = await decodeAvroFile(join(hdfs.root, finals[0] as string));
      expect(decoded.codec).toBe(codec);
      expect(decoded.records).toEqual(Array.from({ length: 2500 }, (_, i) => carRecord(i)));
    });
  }

  it('a 503 on APPEND rejects the batch retriably; the retry leaves no duplicate', async () => {
    const { sink } = await hdfs.sink();
    await sink.write(textBatch(0, 5));
    hdfs.emulator.fail({ op: 'APPEND', status: 503, times: 2 });
    expect(await writeWithRetry(sink, textBatch(5, 5))).toBe(3);
    await sink.write(textBatch(10, 5));
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 15));
  });

  it('a datanode pipeline failure (403 IOException on APPEND) is retried, never rejected permanently', async () => {
    const { sink } = await hdfs.sink();
    await sink.write(textBatch(0, 5));
    hdfs.emulator.fail({ op: 'APPEND', status: 403, exception: 'IOException' });
    expect(await writeWithRetry(sink, textBatch(5, 5))).toBe(2);
    await sink.close();
    const { finals } = await published(hdfs.root);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 10));
  });

  it('a namenode reply cut mid-body (MKDIRS) fails the batch retriably, never permanently', async () => {
    const { sink } = await hdfs.sink({ rollCount: 5 });
    hdfs.emulator.fail({ op: 'MKDIRS', cutReply: true });
    expect(await writeWithRetry(sink, textBatch(0, 5))).toBe(2);
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toHaveLength(1);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 5));
  });

  it('a connection reset mid-upload leaves partial bytes that the retry truncates away', async () => {
    const { sink } = await hdfs.sink({ format: 'avro', fileSuffix: '.avro' });
    await sink.write(avroBatch(0, 500));
    hdfs.emulator.fail({ op: 'APPEND', reset: true });
    const err = await sink.write(avroBatch(500, 500)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);
    expect((err as RxfError).retriable).toBe(true);
    await sink.write(avroBatch(500, 500));
    await sink.close();
    expect(hdfs.emulator.count('TRUNCATE')).toBeGreaterThanOrEqual(1);
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toHaveLength(1);
    expect((await decodeAvroFile(join(hdfs.root, finals[0] as string))).records).toEqual(
      Array.from({ length: 1000 }, (_, i) => carRecord(i)),
    );
  });

  it('an APPEND that times out and lands late is cut before the retry appends (the lease keeps them apart)', async () => {
    const { sink } = await hdfs.sink({ requestTimeoutMs: 300 });
    await sink.write(textBatch(0, 3));
    hdfs.emulator.fail({ op: 'APPEND', delayMs: 1500 });
    const err = await sink.write(textBatch(3, 3)).catch((e: unknown) => e);
    expect((err as RxfError).retriable).toBe(true);
    // While the late write holds the lease, TRUNCATE fails retriably; once it landed, it is cut.
    await writeWithRetry(sink, textBatch(3, 3), 200);
    await sink.close();
    const { finals } = await published(hdfs.root);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 6));
  });

  it('a failed RENAME keeps the file in use; it is published complete by the next write', async () => {
    const { sink, ctx } = await hdfs.sink({ rollSize: 40 });
    hdfs.emulator.fail({ op: 'RENAME', status: 500 });
    await sink.write(textBatch(0, 6)); // 42 bytes: rolls, and the rename fails
    let state = await published(hdfs.root);
    expect(state.finals).toEqual([]);
    expect(state.inUse).toHaveLength(1);
    await sink.write(textBatch(6, 6));
    state = await published(hdfs.root);
    expect(state.finals).toHaveLength(2);
    expect(await rolled(ctx, 'retry')).toBe(1);
    await sink.close();
    const all: string[] = [];
    for (const f of (await published(hdfs.root)).finals) all.push(...(await readLines(join(hdfs.root, f))));
    expect(all.sort()).toEqual(lines(0, 12).sort());
  });

  it('a RENAME whose reply was lost counts as done: one final file, nothing left in use', async () => {
    const { sink } = await hdfs.sink();
    await sink.write(textBatch(0, 4));
    hdfs.emulator.fail({ op: 'RENAME', dropResponse: true });
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toHaveLength(1);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 4));
  });

  it('a failed CREATE leaves no stray in-use file; the retry writes one file', async () => {
    const { sink } = await hdfs.sink();
    hdfs.emulator.fail({ op: 'CREATE', dropResponse: true });
    await expect(sink.write(textBatch(0, 4))).rejects.toMatchObject({ retriable: true });
    expect((await published(hdfs.root)).inUse).toHaveLength(1); // created, reply lost
    await sink.write(textBatch(0, 4));
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toHaveLength(1);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 4));
  });

  it('after a crash, recovery truncates the in-use file to its acknowledged length and publishes it', async () => {
    const first = await hdfs.sink({}, { now: () => 1000 });
    await first.sink.write(textBatch(0, 4));
    // The crash: no close; a torn APPEND past the acknowledged length.
    await appendFile(hdfs.emulator.local('/out/FlumeData.test-agent.1000.tmp'), 'line-4\npartial');
    const second = await hdfs.sink({}, { now: () => 2000 });
    expect(await rolled(second.ctx, 'recovery')).toBe(1);
    await second.sink.write(textBatch(4, 2));
    await second.sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toEqual(['out/FlumeData.test-agent.1000', 'out/FlumeData.test-agent.2000']);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 4));
    expect(await readLines(join(hdfs.root, finals[1] as string))).toEqual(lines(4, 2));
  });

  it('starts while WebHDFS is down; recovers and writes once it is back', async () => {
    const first = await hdfs.sink({}, { now: () => 1000 });
    await first.sink.write(textBatch(0, 2));
    const down = hdfs.emulator.urls[0] as string;
    await hdfs.emulator.stop();
    const { sink, ctx } = await hdfs.sink({ url: down }, { now: () => 2000 });
    await expect(sink.write(textBatch(2, 2))).rejects.toMatchObject({ retriable: true });
    expect(await ctx.metrics.value('rxflume_sink_connected', { component_id: 'hdfs1' })).toBe(0);
    // Back on the same port (the config names it).
    await hdfs.restart(['active'], [Number(new URL(down).port)]);
    await sink.write(textBatch(2, 2));
    await sink.close();
    expect(await ctx.metrics.value('rxflume_sink_connected', { component_id: 'hdfs1' })).toBe(1);
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(finals).toEqual(['out/FlumeData.test-agent.1000', 'out/FlumeData.test-agent.2000']);
    expect(await readFile(join(hdfs.root, 'out/FlumeData.test-agent.1000'), 'utf8')).toBe('line-0\nline-1\n');
  });
});

describe('hdfs sink over WebHDFS with an HA pair', () => {
  const hdfs = useWebHdfs(['standby', 'active']);

  it('writes through the active namenode and follows a failover mid-run', async () => {
    const { sink } = await hdfs.sink();
    await sink.write(textBatch(0, 3));
    hdfs.emulator.setState(1, 'standby');
    hdfs.emulator.setState(0, 'active');
    await sink.write(textBatch(3, 3));
    await sink.close();
    const { finals, inUse } = await published(hdfs.root);
    expect(inUse).toEqual([]);
    expect(await readLines(join(hdfs.root, finals[0] as string))).toEqual(lines(0, 6));
    const byNamenode = (i: number) => hdfs.emulator.requests.filter((r) => r.namenode === i && r.op === 'APPEND').length;
    expect([byNamenode(0), byNamenode(1)]).toEqual([1, 2]); // 1st APPEND straight to nn1; 2nd: nn1 (now standby) → nn0
  });
});

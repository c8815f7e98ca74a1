import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import { inUseFiles, rolled, type SinkUnderTest, startSink, useSinkDirs } from './harness.js';
import { avroBatch, carRecord, decodeAvroFile, listTree, readLines, textBatch } from './support.js';

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line-${from + i}`);

describe('hdfs sink crash recovery and failed writes', () => {
  const dirs = useSinkDirs();
  // Sinks dropped to simulate a crash; closed only after the test to free their file handles.
  const crash = async (sink: Promise<SinkUnderTest>) => dirs.track(await sink);

  it('after a crash, truncates the in-use file to its durable length, publishes it, and leaves unrecorded ones alone', async () => {
    const crashed = await crash(startSink(dirs.root, dirs.state, {}, { now: () => 1000 }));
    await crashed.sink.write(textBatch(0, 4));
    await crashed.sink.write(textBatch(4, 4));
    // The crash: no close; a torn write past the durable length; leftovers of other runs/agents.
    await appendFile(join(dirs.root, 'out/FlumeData.test-agent.1000.tmp'), 'line-8\npartial-li');
    await writeFile(join(dirs.root, 'out/FlumeData.test-agent.999.tmp'), 'never acknowledged\n');
    await writeFile(join(dirs.root, 'out/FlumeData.other-agent.999.tmp'), 'not ours\n');
    await writeFile(join(dirs.root, 'out/Other.test-agent.999.tmp'), 'another prefix\n');

    const restarted = dirs.track(await startSink(dirs.root, dirs.state, {}, { now: () => 2000 }));
    expect(await rolled(restarted.ctx, 'recovery')).toBe(1);
    // An unrecorded in-use file is never ours (entries are saved before their file is created):
    // it may be another sink's of this agent, so it is left in place.
    expect(await listTree(dirs.root)).toEqual([
      'out/FlumeData.other-agent.999.tmp',
      'out/FlumeData.test-agent.1000',
      'out/FlumeData.test-agent.999.tmp',
      'out/Other.test-agent.999.tmp',
    ]);
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.1000'))).toEqual(lines(0, 8));
    // The new run writes a new file and never touches the recovered one.
    await restarted.sink.write(textBatch(8, 2));
    await restarted.sink.close();
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.2000'))).toEqual(lines(8, 2));
  });

  it("two sinks of one agent sharing a folder and prefix: one's recovery never touches the other's files", async () => {
    const other = dirs.track(await startSink(dirs.root, dirs.state, {}, { id: 'hdfs2', now: () => 500 }));
    await other.sink.write(textBatch(100, 3));
    const crashed = await crash(startSink(dirs.root, dirs.state, {}, { now: () => 1000 }));
    await crashed.sink.write(textBatch(0, 2));

    const restarted = dirs.track(await startSink(dirs.root, dirs.state, {}, { now: () => 2000 }));
    expect(await rolled(restarted.ctx, 'recovery')).toBe(1);
    // hdfs2's acknowledged in-use file is still there and still being written by hdfs2.
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.500.tmp'))).toEqual(lines(100, 3));
    await other.sink.write(textBatch(103, 1));
    await other.sink.close();
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.500'))).toEqual(lines(100, 4));
    expect(await readLines(join(dirs.root, 'out/FlumeData.test-agent.1000'))).toEqual(lines(0, 2));
  });

  it('recovers an Avro file to a block boundary that avsc decodes exactly', async () => {
    const crashed = await crash(startSink(dirs.root, dirs.state, { format: 'avro' }, { now: () => 1 }));
    await crashed.sink.write(avroBatch(0, 300));
    await crashed.sink.write(avroBatch(300, 300));
    const inUse = join(dirs.root, 'out/FlumeData.test-agent.1.tmp');
    await appendFile(inUse, Buffer.from([0x02, 0x80, 0x01, 0xff, 0xfe, 0x00, 0x13]));
    dirs.track(await startSink(dirs.root, dirs.state, { format: 'avro' }));
    expect((await decodeAvroFile(join(dirs.root, 'out/FlumeData.test-agent.1'))).records).toEqual(
      Array.from({ length: 600 }, (_, i) => carRecord(i)),
    );
  });

  it('a failed state save rejects the batch; the retry leaves no duplicate', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state));
    await sink.write(textBatch(0, 3));
    // A directory where the state's temp file goes: the save fails after data was appended and fsynced.
    const blocker = join(dirs.state, 'sink-hdfs1.json.tmp');
    await mkdir(blocker);
    const err = await sink.write(textBatch(3, 3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);
    expect((err as RxfError).code).toBe('RXF_IO');
    await rm(blocker, { recursive: true });
    await sink.write(textBatch(3, 3));
    await sink.write(textBatch(6, 1));
    await sink.close();
    const [file] = (await listTree(dirs.root)).map((f) => join(dirs.root, f));
    expect(await readLines(file as string)).toEqual(lines(0, 7));
  });

  it('a batch failing on its second bucket rejects; the retry leaves no duplicate in the first', async () => {
    const { sink } = dirs.track(await startSink(dirs.root, dirs.state, { path: '/out/%{k}' }));
    await sink.write(textBatch(0, 2, { k: 'a' }));
    await mkdir(join(dirs.root, 'out'), { recursive: true });
    await writeFile(join(dirs.root, 'out/b'), 'a file where a directory must go');
    const batch = { sourceId: 's', events: [...textBatch(2, 2, { k: 'a' }).events, ...textBatch(4, 2, { k: 'b' }).events] };
    const err = await sink.write(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);
    expect((err as RxfError).retriable).toBe(false); // EEXIST/ENOTDIR: a config or layout problem
    // The first bucket got the batch's bytes, which were never acknowledged.
    expect(await readLines((await inUseFiles(join(dirs.root, 'out/a')))[0] as string)).toEqual(lines(0, 4));
    await rm(join(dirs.root, 'out/b'));
    await sink.write(batch);
    await sink.close();
    const files = (await listTree(dirs.root)).map((f) => join(dirs.root, f));
    expect(files.map((f) => f.slice(dirs.root.length))).toEqual([
      expect.stringMatching(/^\/out\/a\/FlumeData\./),
      expect.stringMatching(/^\/out\/b\/FlumeData\./),
    ]);
    expect(await readLines(files[0] as string)).toEqual(lines(0, 4));
    expect(await readLines(files[1] as string)).toEqual(lines(4, 2));
  });

  it('a crash after a failed write drops the unacknowledged bytes and removes a file that holds none', async () => {
    const crashed = await crash(startSink(dirs.root, dirs.state, { path: '/out/%{k}' }));
    await crashed.sink.write(textBatch(0, 2, { k: 'a' }));
    await mkdir(join(dirs.root, 'out'), { recursive: true });
    await writeFile(join(dirs.root, 'out/c'), 'blocks bucket c');
    const batch = {
      sourceId: 's',
      events: [...textBatch(2, 2, { k: 'a' }).events, ...textBatch(4, 2, { k: 'b' }).events, ...textBatch(6, 1, { k: 'c' }).events],
    };
    await expect(crashed.sink.write(batch)).rejects.toBeInstanceOf(RxfError);
    // Bucket b's file was created (recorded with durable length 0) and holds unacknowledged lines.
    expect(await inUseFiles(join(dirs.root, 'out/b'))).toHaveLength(1);

    dirs.track(await startSink(dirs.root, dirs.state, { path: '/out/%{k}' }));
    expect(await inUseFiles(dirs.root)).toEqual([]);
    const files = (await listTree(dirs.root)).filter((f) => f !== 'out/c');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^out\/a\//);
    expect(await readLines(join(dirs.root, files[0] as string))).toEqual(lines(0, 2));
  });

  it('an unreadable sink state is set aside and counted; leftovers are left in place', async () => {
    await mkdir(dirs.state, { recursive: true });
    await writeFile(join(dirs.state, 'sink-hdfs1.json'), '{ torn');
    await mkdir(join(dirs.root, 'out'), { recursive: true });
    await writeFile(join(dirs.root, 'out/FlumeData.test-agent.5.tmp'), 'unknown\n');
    const { ctx } = dirs.track(await startSink(dirs.root, dirs.state));
    expect(await ctx.metrics.value('rxflume_checkpoint_corrupt_total')).toBe(1);
    expect(await readFile(join(dirs.root, 'out/FlumeData.test-agent.5.tmp'), 'utf8')).toBe('unknown\n');
    expect((await stat(dirs.state)).isDirectory()).toBe(true);
  });
});

import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OnceAck } from '../../../src/core/ack.js';
import type { DeadLetterEntry } from '../../../src/core/component.js';
import { RxfError } from '../../../src/core/errors.js';
import type { FlumeEvent } from '../../../src/core/event.js';
import {
  createFileDeadLetterSink,
  type DeadLetterRecord,
  deadLetterConfigSchema,
  RAW_LIMIT_BYTES,
  rawBytesOf,
} from '../../../src/sinks/dead-letter/index.js';
import { testContext } from '../../support/context.js';
import { tempDir } from '../../support/wait.js';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 6);

function entry(body: string | Buffer, offset = 0, overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const event: FlumeEvent = {
    id: `spool:1:2:${offset}`,
    body: bytes,
    headers: { logType: 'car-batch-log' },
    position: { fileKey: '1:2', path: '/spool/SmartCarStatusInfo_20160101.txt', offset, end: offset + bytes.length + 1 },
    ack: new OnceAck(() => undefined),
  };
  return {
    event,
    sourceId: 'spool',
    stage: 'parse',
    code: 'RXF_VALIDATION_FAILED',
    reason: 'tire_fl: 140 is above the maximum 100',
    ...overrides,
  };
}

async function readRecords(file: string): Promise<DeadLetterRecord[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as DeadLetterRecord);
}

describe('file dead-letter sink', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const ctx = () => testContext('dead-letter', dir, { now: () => NOW, agentId: 'agent-1' });

  it('appends one JSON line per entry, readable back with every field', async () => {
    const context = ctx();
    const sink = createFileDeadLetterSink({ dir }, context);
    await sink.write([
      entry('20160101000004,K0001,140,97,88,90,1,1,1,1,A,A,83', 0),
      entry('garbage', 49, { code: 'RXF_PARSE_FAILED', reason: 'expected 13 or 14 columns, got 1' }),
    ]);
    await sink.write([entry('x', 57, { stage: 'sink', code: 'RXF_SINK_PERMANENT', reason: 'rejected by hdfs', componentId: 'hdfs' })]);
    await sink.close();

    expect(sink.file).toBe(join(dir, 'dead-letter.agent-1.jsonl'));
    const records = await readRecords(sink.file);
    expect(records[0]).toEqual({
      time: '2024-01-02T03:04:05.006Z',
      sourceId: 'spool',
      stage: 'parse',
      code: 'RXF_VALIDATION_FAILED',
      reason: 'tire_fl: 140 is above the maximum 100',
      componentId: null,
      eventId: 'spool:1:2:0',
      path: '/spool/SmartCarStatusInfo_20160101.txt',
      offset: 0,
      headers: { logType: 'car-batch-log' },
      raw: '20160101000004,K0001,140,97,88,90,1,1,1,1,A,A,83',
    });
    expect(records.map((r) => [r.offset, r.code, r.componentId])).toEqual([
      [0, 'RXF_VALIDATION_FAILED', null],
      [49, 'RXF_PARSE_FAILED', null],
      [57, 'RXF_SINK_PERMANENT', 'hdfs'],
    ]);
  });

  it('leaves counting to its callers (the operators keep the books)', async () => {
    const context = ctx();
    const sink = createFileDeadLetterSink({ dir }, context);
    await sink.write([entry('a'), entry('b', 1)]);
    await sink.close();
    expect(await readRecords(sink.file)).toHaveLength(2);
    expect(await context.metrics.value('rxflume_dead_lettered_total')).toBe(0);
  });

  it('keeps a body with newlines and quotes on one line', async () => {
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.write([entry('a "quoted"\nsecond\r\nline')]);
    await sink.close();
    const records = await readRecords(sink.file);
    expect(records).toHaveLength(1);
    expect(records[0]?.raw).toBe('a "quoted"\nsecond\r\nline');
  });

  it('stores invalid UTF-8 as base64, byte for byte', async () => {
    const body = Buffer.from([0x32, 0x30, 0xff, 0xfe, 0x00, 0x41]);
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.write([entry(body, 0, { code: 'RXF_INVALID_UTF8', reason: 'line is not valid UTF-8: first invalid byte at offset 2' })]);
    await sink.close();
    const [record] = await readRecords(sink.file);
    expect(record?.rawEncoding).toBe('base64');
    expect(record?.raw).toBe(body.toString('base64'));
    expect(rawBytesOf(record as DeadLetterRecord).equals(body)).toBe(true);
  });

  it('cuts a 5 MB body to its first 64 KiB, marking it truncated with the full size', async () => {
    const body = Buffer.alloc(5_000_000, 'x');
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.write([
      entry(body, 0, { stage: 'source', code: 'RXF_LINE_TOO_LONG', reason: 'line of 5000000 bytes exceeds maxLineBytes' }),
    ]);
    await sink.close();
    const [record] = await readRecords(sink.file);
    expect(record?.rawTruncated).toBe(true);
    expect(record?.rawBytes).toBe(5_000_000);
    expect(record?.raw).toBe('x'.repeat(RAW_LIMIT_BYTES));
    expect(record?.rawEncoding).toBeUndefined();
    expect((await stat(sink.file)).size).toBeLessThan(RAW_LIMIT_BYTES + 1024);
  });

  it('cuts a long UTF-8 body on a character boundary and keeps it as text', async () => {
    // 65535 ASCII bytes then 3-byte characters: the limit falls inside the first of them.
    const body = Buffer.concat([Buffer.alloc(RAW_LIMIT_BYTES - 1, 'a'), Buffer.from('한국어', 'utf8')]);
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.write([entry(body)]);
    await sink.close();
    const [record] = await readRecords(sink.file);
    expect(record?.rawEncoding).toBeUndefined();
    expect(record?.raw).toBe('a'.repeat(RAW_LIMIT_BYTES - 1));
    expect(record?.rawBytes).toBe(body.length);
  });

  it('rolls past maxFileBytes to .1, .2 … without losing or splitting an entry', async () => {
    const maxFileBytes = 2000;
    const sink = createFileDeadLetterSink({ dir, maxFileBytes }, ctx());
    const total = 40;
    for (let i = 0; i < total; i += 4) await sink.write([0, 1, 2, 3].map((k) => entry(`line ${i + k}`, i + k)));
    await sink.close();

    const names = (await readdir(dir)).sort();
    const rolled = names.filter((n) => /\.jsonl\.\d+$/.test(n)).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
    expect(rolled.length).toBeGreaterThanOrEqual(2);
    expect(rolled.map((n) => Number(n.split('.').pop()))).toEqual(rolled.map((_, i) => i + 1));
    const files = [...rolled.map((n) => join(dir, n)), sink.file];
    const offsets: number[] = [];
    for (const f of files) {
      expect((await stat(f)).size).toBeLessThanOrEqual(maxFileBytes);
      for (const r of await readRecords(f)) offsets.push(r.offset);
    }
    expect(offsets).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('continues an existing file and the roll numbering after a restart', async () => {
    const first = createFileDeadLetterSink({ dir, maxFileBytes: 600 }, ctx());
    for (let i = 0; i < 4; i++) await first.write([entry(`first ${i}`, i)]);
    await first.close();
    const rolledBefore = (await readdir(dir)).filter((n) => /\.jsonl\.\d+$/.test(n)).length;
    expect(rolledBefore).toBeGreaterThan(0);

    const second = createFileDeadLetterSink({ dir, maxFileBytes: 600 }, ctx());
    for (let i = 4; i < 8; i++) await second.write([entry(`second ${i}`, i)]);
    await second.close();
    const rolled = (await readdir(dir)).filter((n) => /\.jsonl\.\d+$/.test(n)).map((n) => Number(n.split('.').pop()));
    expect(rolled.sort((a, b) => a - b)).toEqual(Array.from({ length: rolled.length }, (_, i) => i + 1));
    const offsets: number[] = [];
    for (const n of rolled) for (const r of await readRecords(join(dir, `dead-letter.agent-1.jsonl.${n}`))) offsets.push(r.offset);
    for (const r of await readRecords(second.file)) offsets.push(r.offset);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('cuts off a torn last line left by a crash before appending', async () => {
    const file = join(dir, 'dead-letter.agent-1.jsonl');
    const whole = `${JSON.stringify({ offset: 1, raw: 'kept' })}\n`;
    await writeFile(file, `${whole}{"offset":2,"raw":"torn mid-wri`);
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.write([entry('after restart', 3)]);
    await sink.close();
    const records = await readRecords(file);
    expect(records.map((r) => r.offset)).toEqual([1, 3]);
  });

  it('serializes concurrent writes without interleaving', async () => {
    const sink = createFileDeadLetterSink({ dir }, ctx());
    const big = 'y'.repeat(20_000);
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.write([entry(`${big}${i}`, i * 2), entry(`small ${i}`, i * 2 + 1)])));
    await sink.close();
    const records = await readRecords(sink.file);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('rejects with an RxfError when the folder cannot be used, and recovers once it can', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where the folder should be');
    const context = ctx();
    const sink = createFileDeadLetterSink({ dir: blocked }, context);
    const err = await sink.write([entry('a')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RxfError);

    await rm(blocked);
    await sink.write([entry('b', 1)]);
    await sink.close();
    expect((await readRecords(join(blocked, 'dead-letter.agent-1.jsonl'))).map((r) => r.raw)).toEqual(['b']);
  });

  it('refuses writes after close', async () => {
    const sink = createFileDeadLetterSink({ dir }, ctx());
    await sink.close();
    await expect(sink.write([entry('late')])).rejects.toThrow('dead-letter sink is closed');
  });

  it('takes the agent id from the options over the context, and refuses one unfit for a file name', () => {
    expect(createFileDeadLetterSink({ dir, agentId: 'other' }, ctx()).file).toBe(join(dir, 'dead-letter.other.jsonl'));
    expect(() => createFileDeadLetterSink({ dir, agentId: '../x' }, ctx())).toThrow('agent id "../x" must be [A-Za-z0-9_.-]+');
  });
});

describe('dead-letter config', () => {
  it('has defaults', () => {
    expect(deadLetterConfigSchema.parse({})).toEqual({ dir: './data/dead-letter', maxFileBytes: 64 * 1024 * 1024, fsync: true });
    expect(deadLetterConfigSchema.parse({ maxFileBytes: '1MiB', fsync: false }).maxFileBytes).toBe(1024 * 1024);
  });

  it.each([
    [{ dir: '' }, ['dir: must not be empty']],
    [{ maxFileBytes: 0 }, ['maxFileBytes: must be more than 0 bytes']],
    [{ maxFileBytes: 'lots' }, ['maxFileBytes: "lots" is not a byte size (use a number or e.g. 64MiB, 512KB)']],
    [{ fsync: 'yes' }, ['fsync: must be true or false']],
    [{ folder: 'x' }, [': Unrecognized key: "folder"']],
  ])('config %j → %j', (options, messages) => {
    const r = deadLetterConfigSchema.safeParse(options);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(messages);
  });
});

/**
 * Avro container files of CarStatus v1 and v2, written by the real HDFS sink (local backend) with
 * each codec, read back with one reader version by the real `rxflume cat`: the embedded writer
 * schema resolved to v2 (default latest) or v1, as text lines and JSON, `--max`, and the errors
 * for a file that is not Avro and a reader version that does not exist.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBatch } from '../../src/core/event.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry, type RegisteredSchema } from '../../src/schemas/registry.js';
import { finalFiles, startSink } from '../sinks/hdfs/harness.js';
import { makeEvent } from '../sinks/hdfs/support.js';
import { killAll, runCli } from '../support/cli.js';
import { tempDir } from '../support/wait.js';

const registry = loadSchemaRegistry();
const v1 = registry.get('smartcar.CarStatus', 1);
const v2 = registry.get('smartcar.CarStatus', 2);
const N = 300;

const status = (i: number) =>
  `20160101${String(i % 240000).padStart(6, '0')},K${String(i % 10000).padStart(4, '0')},${i % 101},90,80,70,1,2,1,1,A,B,${(i * 7) % 101}`;
const v1Lines = Array.from({ length: N }, (_, i) => `${status(i)},20160102`);
const v2Lines = Array.from({ length: N }, (_, i) => `${status(N + i)},${(48000 + i / 10).toFixed(1)},3.2.${i % 10},20160102`);
/** As `cat --format text` prints a v2 line: the odometer as a JavaScript number (48000.0 → 48000). */
const printedV2 = v2Lines.map((l) =>
  l
    .split(',')
    .map((c, k) => (k === 13 ? String(Number(c)) : c))
    .join(','),
);
const v1AsV2 = v1Lines.map((l) => l.replace(/,(\d{8})$/, ',,,$1'));
const v2AsV1 = v2Lines.map((l) =>
  l
    .split(',')
    .filter((_, k) => k !== 13 && k !== 14)
    .join(','),
);

function batchOf(schema: RegisteredSchema, lines: string[]): EventBatch {
  const parser = createCsvParser(schema, { worker: false });
  const events = lines.map((line, i) => {
    const parsed = parser.parse(Buffer.from(line));
    if (!parsed.ok) throw new Error(`test line does not parse: ${parsed.reason}`);
    return makeEvent(i, { body: line, record: parsed.record });
  });
  return { sourceId: 'status', events, schema };
}

describe('rxflume cat on v1 and v2 files from the HDFS sink', () => {
  let cleanup: () => Promise<void> = async () => undefined;
  let dir = '';
  const files: Record<string, string> = {};

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    for (const [name, schema, lines, codec] of [
      ['v1-deflate', v1, v1Lines, 'deflate'],
      ['v2-snappy', v2, v2Lines, 'snappy'],
      ['v1-null', v1, v1Lines.slice(0, 10), 'null'],
    ] as const) {
      const root = join(dir, name);
      const { sink } = await startSink(root, join(dir, `${name}-state`), { format: 'avro', codec, fileSuffix: '.avro' });
      await sink.write(batchOf(schema, lines.slice(0, 100)));
      await sink.write(batchOf(schema, lines.slice(100)));
      await sink.close();
      const written = await finalFiles(root);
      expect(written).toHaveLength(1);
      files[name] = written[0] as string;
    }
  }, 60_000);

  afterAll(async () => {
    killAll();
    await cleanup();
  });

  const cat = (args: string[]) => runCli(['cat', ...args]);

  it('reads both versions as v2 by default (v1 records get null odometer and firmware)', { timeout: 60_000 }, async () => {
    const r = await cat([files['v1-deflate'] as string, files['v2-snappy'] as string, '--format', 'text']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([...v1AsV2, ...printedV2]);
  });

  it('reads both versions as v1 with --reader-version 1 (v2 records lose the new fields)', { timeout: 60_000 }, async () => {
    const r = await cat(['--reader-version', '1', '--format', 'text', files['v1-deflate'] as string, files['v2-snappy'] as string]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([...v1Lines, ...v2AsV1]);
  });

  it('prints JSON records in the reader field order and stops after --max', { timeout: 60_000 }, async () => {
    const r = await cat([files['v1-null'] as string, files['v2-snappy'] as string, '--max', '12']);
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(12);
    expect(Object.keys(records[0] as object)).toEqual((v2.schema as { fields: { name: string }[] }).fields.map((f) => f.name));
    expect(records[0]).toMatchObject({ car_number: 'K0000', odometer_km: null, firmware_version: null, collect_date: '20160102' });
    expect(records[10]).toMatchObject({ car_number: `K0${N}`, odometer_km: 48000, firmware_version: '3.2.0' });
  });

  it('reads a file whose schema is not in the folder with its own writer schema', { timeout: 60_000 }, async () => {
    const empty = join(dir, 'no-schemas');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(empty, { recursive: true });
    const r = await cat(['--schemas', empty, '--format', 'text', files['v1-null'] as string]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(v1Lines.slice(0, 10));
  });

  it('fails clearly on a file that is not Avro and on a reader version that does not exist', { timeout: 60_000 }, async () => {
    const text = join(dir, 'plain.txt');
    await writeFile(text, 'not avro\n');
    const notAvro = await cat([text]);
    expect(notAvro.code).toBe(1);
    expect(notAvro.stderr).toContain(`${text}: not an Avro container file`);
    const noVersion = await cat(['--reader-version', '9', files['v1-null'] as string]);
    expect(noVersion.code).toBe(1);
    expect(noVersion.stderr).toContain('smartcar.CarStatus has no version 9 (versions: 1, 2)');
  });

  it('prints the records before a cut and fails naming the file when it ends inside a block', { timeout: 60_000 }, async () => {
    // The sink wrote two blocks (two writes of 100 and 200 records); cut the file inside the second.
    const bytes = await readFile(files['v1-deflate'] as string);
    const cut = join(dir, 'cut.avro');
    await writeFile(cut, bytes.subarray(0, bytes.length - 20));
    const r = await cat(['--reader-version', '1', '--format', 'text', cut]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cut}: the file ends inside a block:`);
    expect(r.stdout.trimEnd().split('\n')).toEqual(v1Lines.slice(0, 100));
  });
});

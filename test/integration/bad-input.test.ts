/**
 * Bad input through the whole agent: garbage, a 5 MB line without newline, invalid UTF-8, a
 * field out of range and header lines. Each is filtered or dead-lettered with a counted reason,
 * the neighbours arrive in order, and memory stays bounded (the long line is never buffered).
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { silentLogger } from '../../src/core/logger.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { listFiles } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

function config(dir: string, parseWorker: boolean): string {
  return `
agent: { id: bad-input, stateDir: ${dir}/state }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  driving:
    type: tail
    path: ${dir}/in.log
    pollIntervalMs: 20
    schema: smartcar.DrivingEvent
    schemaVersion: 1
    parseWorker: ${parseWorker}
    interceptors: [{ type: regex_filter, regex: '^\\d{14}' }]
    buffer: { maxEvents: 1000, maxBytes: 1MiB }
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /out, filePrefix: driving, format: avro, batchSize: 100, batchTimeoutMs: 10 }
`;
}

async function readAvroDir(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of (await listFiles(root)).filter((f) => !f.endsWith('.tmp'))) {
    await new Promise<void>((resolve, reject) =>
      avro
        .createFileDecoder(join(root, f))
        .on('data', (r: Record<string, unknown>) => out.push(Object.values(r).join(',')))
        .on('end', resolve)
        .on('error', reject),
    );
  }
  return out;
}

// The same guarantees whether lines are parsed in the worker thread (default) or on the main thread.
describe.each([true, false])('bad input (parseWorker: %s)', (parseWorker) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('dead-letters each bad line with its reason; neighbours arrive; memory stays bounded', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    mkdirSync(join(t.dir, 'hdfs'), { recursive: true });
    const input = join(t.dir, 'in.log');
    const good = Array.from({ length: 6 }, (_, i) => drivingLine(i));
    writeFileSync(input, `${DRIVING_HEADER}\n${good[0]}\n`);
    appendFileSync(input, '20190101000000 this is garbage\n');
    appendFileSync(input, `${good[1]}\n`);
    const heapBefore = process.memoryUsage().heapUsed;
    const agent = await Agent.create(parseConfig(config(t.dir, parseWorker), 't.yaml', {}), { logger: silentLogger() });
    await agent.start();
    // 5 MB without a newline, appended in pieces while the agent reads, then terminated.
    const piece = Buffer.alloc(512 * 1024, 0x37);
    appendFileSync(input, '20190101000002,');
    for (let i = 0; i < 10; i++) appendFileSync(input, piece);
    appendFileSync(input, '\n');
    appendFileSync(input, `${good[2]}\n`);
    appendFileSync(input, Buffer.concat([Buffer.from('20190101000004,A0001,1,0,F,N,10,A'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    appendFileSync(input, `${good[3]}\n`);
    appendFileSync(input, '20190101000006,A0001,9,0,F,N,10,A01\n'); // speed_pedal 9 is out of 0–5
    appendFileSync(input, `${good[4]}\n${good[5]}\n`);

    const deadLetterFile = join(t.dir, 'dead-letter', 'dead-letter.bad-input.jsonl');
    await waitFor(
      () => {
        try {
          return readFileSync(deadLetterFile, 'utf8').trim().split('\n').length >= 4;
        } catch {
          return false;
        }
      },
      { what: 'four dead letters' },
    );
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    await waitFor(
      async () => (await agent.metrics.value('rxflume_sink_events_total', { component_id: 'out', result: 'acknowledged' })) >= 6,
      {
        what: 'the good lines to be acknowledged',
      },
    );
    await agent.stop();

    expect(await readAvroDir(join(t.dir, 'hdfs'))).toEqual(good);
    const entries = readFileSync(deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { code: string; reason: string; raw: string; rawEncoding?: string; offset: number });
    expect(entries.map((e) => e.code)).toEqual(['RXF_PARSE_FAILED', 'RXF_LINE_TOO_LONG', 'RXF_INVALID_UTF8', 'RXF_VALIDATION_FAILED']);
    expect(entries[0]?.reason).toMatch(/column/);
    expect(entries[1]?.reason).toMatch(/5242895 bytes exceeds maxLineBytes/);
    expect(entries[2]?.rawEncoding).toBe('base64');
    expect(entries[3]?.reason).toMatch(/^speed_pedal: 9 is above the maximum 5/);
    expect(await agent.metrics.value('rxflume_events_rejected_total', { reason: 'filtered' })).toBe(1);
    expect(await agent.metrics.value('rxflume_dead_lettered_total')).toBe(4);
    // The 5 MB line is skipped, not buffered: the heap grows far less than the line is long.
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
  });
});

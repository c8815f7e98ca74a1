/**
 * The books balance when a `drop_newest` buffer drops events, for both buffer types (an in-process
 * agent, spooldir → interceptors → validation → buffer → local HDFS layout, a memory buffer far
 * smaller than the input, or a disk log far smaller than one batch), with the counting rules of
 * src/metrics/metrics.ts:
 *   received = accepted(validator) + Σ rejected (buffer_full, filtered, invalid)
 *   accepted(validator) = acknowledged + dead-lettered + failed (sink)
 * and acknowledged equals the lines actually written, buffer_full the lines missing from both
 * the output and the dead-letter file.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { silentLogger } from '../../src/core/logger.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { tempDir, waitFor } from '../support/wait.js';

interface BufferCase {
  /** What dropped the events, for the describe title and the "must have dropped" message. */
  what: string;
  /** Extra source option lines (YAML, at the source's indentation). */
  sourceOptions: string[];
}

const BUFFER_CASES: BufferCase[] = [
  { what: 'buffer', sourceOptions: ['buffer: { maxEvents: 150, whenFull: drop_newest }'] },
  // Inline parsing keeps the disk case single-threaded, as when it was written for the disk log.
  { what: 'disk buffer', sourceOptions: ['parseWorker: false', 'buffer: { type: disk, maxBytes: 4KiB, whenFull: drop_newest }'] },
];

function config(dir: string, sourceOptions: string[]): string {
  return `
agent: { id: drops, stateDir: ${dir}/state }
deadLetter: { dir: ${dir}/dead-letter, fsync: false }
sources:
  driving:
    type: spooldir
    spoolDir: ${dir}/spool
    pollDelay: 20
    minFileAgeMs: 0
    batchSize: 100
    schema: smartcar.DrivingEvent
    interceptors: [{ type: regex_filter, regex: '^\\d{14}' }]
${sourceOptions.map((line) => `    ${line}`).join('\n')}
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /out, filePrefix: driving, batchSize: 100, batchTimeoutMs: 10 }
`;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe.each(BUFFER_CASES)('counter consistency with a drop_newest $what', ({ what, sourceOptions }) => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    await cleanup();
  });

  it('balances received, dropped, filtered, dead-lettered and acknowledged against the output', { timeout: 120_000 }, async () => {
    const t = await tempDir('rxflume-drops-');
    cleanup = t.cleanup;
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 500 === 0) lines.push(DRIVING_HEADER);
      lines.push(i % 250 === 7 ? `${drivingLine(i).slice(0, 14)},not a record` : drivingLine(i));
    }
    await mkdir(join(t.dir, 'spool'));
    agent = await Agent.create(parseConfig(config(t.dir, sourceOptions), 't.yaml', {}), { logger: silentLogger() });
    await agent.start();
    await writeFile(join(t.dir, 'in.tmp'), `${lines.join('\n')}\n`);
    await rename(join(t.dir, 'in.tmp'), join(t.dir, 'spool', 'driving.log'));

    const m = agent.metrics;
    const v = (name: string, labels: Record<string, string> = {}) => m.value(name, { component_id: 'driving', ...labels });
    await waitFor(async () => (await readdir(join(t.dir, 'spool'))).includes('driving.log.COMPLETED'), {
      timeoutMs: 90_000,
      what: 'the spool file finished',
    });
    expect((await agent.stop()).drained).toBe(true);

    const received = await v('rxflume_events_received_total', { component_kind: 'source' });
    const dropped = await v('rxflume_events_rejected_total', { reason: 'buffer_full' });
    const filtered = await v('rxflume_events_rejected_total', { reason: 'filtered' });
    const invalid = await v('rxflume_events_rejected_total', { component_kind: 'validator' });
    const accepted = await v('rxflume_events_accepted_total', { component_kind: 'validator' });
    const sink = (result: string) => m.value('rxflume_sink_events_total', { component_id: 'out', result });
    const acknowledged = await sink('acknowledged');
    const deadLettered = await v('rxflume_dead_lettered_total');

    expect(dropped, `the ${what} must have dropped some events for this test to mean anything`).toBeGreaterThan(0);
    expect(received).toBe(lines.length);
    expect(received).toBe(accepted + dropped + filtered + invalid);
    expect(accepted).toBe(acknowledged + (await m.value('rxflume_dead_lettered_total', { component_id: 'out' })) + (await sink('failed')));
    expect(invalid).toBe(deadLettered);

    let written = 0;
    for (const f of await filesUnder(join(t.dir, 'hdfs'))) {
      written += (await readFile(f, 'utf8')).split('\n').filter((l) => l !== '').length;
    }
    const deadLetterFile = join(t.dir, 'dead-letter', 'dead-letter.drops.jsonl');
    const deadLetterLines = readFileSync(deadLetterFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
    expect(written).toBe(acknowledged);
    expect(deadLetterLines).toBe(deadLettered);
    // Every input line is in the output, the dead-letter file, or counted as filtered or dropped.
    expect(written + deadLetterLines + filtered + dropped).toBe(lines.length);
  });
});

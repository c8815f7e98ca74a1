/**
 * The disk buffer inside the real agent (in-process): spool → disk log → local HDFS layout.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEGMENT_MAGIC } from '../../../src/buffers/disk/segment-format.js';
import type { Agent } from '../../../src/core/agent.js';
import { tempDir, waitFor } from '../../support/wait.js';
import { numberedLines, segmentFiles, sinkLines, spoolLines, startSpoolAgent } from './support.js';

describe('disk buffer in the agent', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await cleanup?.();
  });

  it('carries every spooled line to the sink, completes the spool file and deletes consumed segments', async () => {
    const t = await tempDir('rxflume-disk-');
    cleanup = t.cleanup;
    agent = await startSpoolAgent({ dir: t.dir, buffer: '{ type: disk, segmentBytes: 64KiB }' });
    const lines = numberedLines('a', 5000);
    spoolLines(t.dir, 'part-1.txt', lines);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-1.txt.COMPLETED')), { what: 'spool file completed' });
    await agent.stop();
    agent = undefined;
    const got = await sinkLines(join(t.dir, 'hdfs'));
    expect(got.length).toBe(lines.length);
    expect(new Set(got)).toEqual(new Set(lines));
    const bufferDir = join(t.dir, 'state', 'buffers', 'lines');
    expect(existsSync(join(bufferDir, 'positions.json'))).toBe(true);
    // Only the last (unsealed at stop) segment may remain; everything before was deleted.
    expect(segmentFiles(bufferDir).length).toBeLessThanOrEqual(1);
  });

  it('maxBytes smaller than one batch (block): every batch still passes, one at a time, and all lines arrive', async () => {
    const t = await tempDir('rxflume-disk-');
    cleanup = t.cleanup;
    agent = await startSpoolAgent({ dir: t.dir, buffer: '{ type: disk, maxBytes: 1KiB }' });
    const lines = numberedLines('tiny', 3000);
    spoolLines(t.dir, 'part-1.txt', lines);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-1.txt.COMPLETED')), { timeoutMs: 60_000, what: 'spool file completed' });
    expect((await agent.stop()).drained).toBe(true);
    agent = undefined;
    const got = await sinkLines(join(t.dir, 'hdfs'));
    expect(new Set(got)).toEqual(new Set(lines));
    expect(got.length).toBe(lines.length);
  });

  it('maxBytes smaller than one batch (drop_newest): the source drops while the log is full but never stalls for good', async () => {
    const t = await tempDir('rxflume-disk-');
    cleanup = t.cleanup;
    agent = await startSpoolAgent({ dir: t.dir, buffer: '{ type: disk, maxBytes: 1KiB, whenFull: drop_newest }' });
    const first = numberedLines('one', 3000);
    spoolLines(t.dir, 'part-1.txt', first);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-1.txt.COMPLETED')), { timeoutMs: 60_000, what: 'first file completed' });
    // Every line of the first file is settled (appended or dropped), so no append waits for
    // space: the next batch is admitted, and it waits in the log until the sink frees space.
    const second = numberedLines('two', 10);
    spoolLines(t.dir, 'part-2.txt', second);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-2.txt.COMPLETED')), { timeoutMs: 60_000, what: 'second file completed' });
    expect((await agent.stop()).drained).toBe(true);
    agent = undefined;
    const got = new Set(await sinkLines(join(t.dir, 'hdfs')));
    for (const line of second) expect(got.has(line), line).toBe(true);
  });

  it('counts a torn record found at start and reports the buffer gauges of the log', async () => {
    const t = await tempDir('rxflume-disk-');
    cleanup = t.cleanup;
    const bufferDir = join(t.dir, 'state', 'buffers', 'lines');
    mkdirSync(bufferDir, { recursive: true });
    // A segment whose only frame was being written when the machine went down.
    writeFileSync(join(bufferDir, '0000000000000007.wal'), Buffer.concat([SEGMENT_MAGIC, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5])]));
    agent = await startSpoolAgent({ dir: t.dir, buffer: '{ type: disk, maxBytes: 10MiB }' });
    const lines = numberedLines('b', 1000);
    spoolLines(t.dir, 'part-1.txt', lines);
    await waitFor(() => existsSync(join(t.dir, 'spool', 'part-1.txt.COMPLETED')), { what: 'spool file completed' });
    const m = agent.metrics;
    await waitFor(async () => (await m.value('rxflume_sink_events_total', { component_id: 'out', result: 'acknowledged' })) === 1000);
    expect(await m.value('rxflume_buffer_torn_records_total', { component_id: 'lines' })).toBe(1);
    await waitFor(async () => (await m.value('rxflume_buffer_capacity_bytes', { component_id: 'lines' })) === 10 * 1024 * 1024, {
      what: 'buffer gauges sampled',
    });
    expect(await m.value('rxflume_buffer_events', { component_id: 'lines', component_kind: 'buffer' })).toBe(0);
    await agent.stop();
    agent = undefined;
    expect(await sinkLines(join(t.dir, 'hdfs'))).toHaveLength(1000);
  });
});

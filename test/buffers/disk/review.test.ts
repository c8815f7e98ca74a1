/** Review findings on the disk buffer: each test pins a defect that was fixed. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadFrame } from '../../../src/buffers/disk/disk-log.js';
import { undeliveredInLog } from '../../../src/buffers/disk/leftover.js';
import { parseConfig } from '../../../src/config/load.js';
import { Agent } from '../../../src/core/agent.js';
import { tempDir, waitFor } from '../../support/wait.js';
import { frameSize, openLog, payload } from './log-support.js';
import { segmentFiles, spoolAgentYaml } from './support.js';

describe('disk buffer review', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  const dir = async () => {
    const t = await tempDir('rxflume-diskreview-');
    cleanup = t.cleanup;
    return t.dir;
  };

  it('drop_newest with maxBytes within one segment: once the sinks caught up, appends are admitted again', async () => {
    const d = await dir();
    const frame = frameSize('f10');
    // source-buffer.ts caps segmentBytes at maxBytes: the whole log fits in the unsealed segment.
    const t = await openLog(d, { maxBytes: 10 * frame, segmentBytes: 10 * frame, whenFull: 'drop_newest', sinkIds: ['a'] });
    const results: string[] = [];
    // Six small batches, then large ones: a large one no longer fits next to the small ones.
    for (let i = 10; i < 16; i++) results.push(await t.log.append(payload(`f${i}`), 1));
    const big = 5 * frame;
    for (let i = 0; i < 3; i++) results.push(await t.log.append(payload(`big${i}`, big), 1));
    expect(results.filter((r) => r === 'dropped').length).toBeGreaterThan(0);
    const appended = results.filter((r) => r === 'appended').length;
    // The sink reads and acknowledges everything that is in the log.
    const reader = t.log.read();
    for (let i = 0; i < appended; i++) {
      const f = await reader.next();
      t.log.sinkAcknowledged('a', (f.value as ReadFrame).end);
    }
    // Everything on disk is acknowledged: new batches must fit again (not be dropped forever).
    await waitFor(async () => (await t.log.append(payload('again', big), 1)) === 'appended', {
      timeoutMs: 10_000,
      what: 'an append admitted',
    });
    await t.log.close();
    await reader.return(undefined);
  });

  it('a source switched from a disk to a memory buffer gets a clear error about the events left in its log', async () => {
    const d = await dir();
    const bufferDir = join(d, 'state', 'buffers', 'lines');
    const t = await openLog(bufferDir, { sinkIds: ['out'] });
    for (let i = 0; i < 3; i++) await t.log.append(payload(`f${i}`), 1);
    // The sink had the first frame only; the other two were acknowledged to the source, not delivered.
    const reader = t.log.read();
    t.log.sinkAcknowledged('out', ((await reader.next()).value as ReadFrame).end);
    await t.log.close();
    await reader.return(undefined);
    expect(await undeliveredInLog(bufferDir)).toEqual({ segments: 1, bytes: 2 * frameSize('f1') });

    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => messages.push(String(JSON.parse(line).msg)) });
    mkdirSync(join(d, 'spool'), { recursive: true });
    const agent = await Agent.create(parseConfig(spoolAgentYaml({ dir: d, buffer: '{ type: memory }' }), join(d, 'agent.yaml'), {}), {
      logger,
    });
    try {
      const error = await waitFor(() => messages.find((m) => m.includes('still holds')), { what: 'the error about the log' });
      expect(error).toContain(bufferDir);
      expect(error).toContain('1 segment(s)');
    } finally {
      await agent.stop();
    }
  });

  it('a disk buffer closed with every frame delivered leaves nothing reported', async () => {
    const d = await dir();
    const t = await openLog(d, { sinkIds: ['a', 'b'] });
    for (let i = 0; i < 5; i++) await t.log.append(payload(`f${i}`), 1);
    expect(await undeliveredInLog(d)).toEqual({ segments: 1, bytes: 5 * frameSize('f0') });
    const reader = t.log.read();
    for (let i = 0; i < 5; i++) {
      const end = ((await reader.next()).value as ReadFrame).end;
      t.log.sinkAcknowledged('a', end);
      t.log.sinkAcknowledged('b', end);
    }
    await t.log.close();
    await reader.return(undefined);
    expect(segmentFiles(d).length).toBeGreaterThan(0);
    expect(await undeliveredInLog(d)).toBeUndefined();
  });
});

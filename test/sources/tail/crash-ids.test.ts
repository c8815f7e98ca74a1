/**
 * Crash consistency of event ids: the checkpoint on disk at any moment must let a restarted
 * follower give replayed lines the ids they were first emitted with (dedupe by event id).
 * A "crash" is simulated by saving the checkpoint file as it is on disk while events are in
 * flight, stopping, and restoring that copy before the restart.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlumeEvent } from '../../../src/core/event.js';
import { tailSource } from '../../../src/sources/tail/index.js';
import { testSourceContext } from '../../support/context.js';
import { tempDir, waitFor } from '../../support/wait.js';
import { lineRange, startTail, type TailRun, Writer } from './harness.js';

describe('tail source: event ids across a crash', () => {
  let dir: string;
  let stateDir: string;
  let path: string;
  let cleanup: () => Promise<void>;
  const runs: TailRun[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('rxflume-tail-crash-'));
    stateDir = join(dir, 'state');
    path = join(dir, 'drive.log');
  });
  afterEach(async () => {
    for (const r of runs.splice(0)) await r.stop();
    await cleanup();
  });

  const checkpointFile = () => join(stateDir, 'source-tail1.json');

  it('when a file opened short emits its first batch, the checkpoint on disk already holds the fileKey of its ids', async () => {
    const w = new Writer(path); // empty at open: its fingerprint grows before the first line
    const ctx = testSourceContext('tail1', stateDir);
    const config = tailSource.configSchema.parse({ path, pollIntervalMs: 20 });
    const source = tailSource.create(config, ctx);
    const events: FlumeEvent[] = [];
    let onDiskAtFirstBatch: Buffer | undefined;
    const done = new Promise<void>((resolve, reject) => {
      source.events().subscribe({
        next: (batch) => {
          // A crash at this instant leaves exactly this checkpoint behind.
          onDiskAtFirstBatch ??= readFileSync(checkpointFile());
          events.push(...batch.events);
        },
        error: reject,
        complete: resolve,
      });
    });
    await waitFor(() => existsSync(checkpointFile()), { what: 'checkpoint of the opened file' });
    const lines = lineRange('line', 0, 40); // 480 bytes: the fingerprint grows to 256 bytes
    w.lines(lines);
    await waitFor(() => events.length === 40, { what: '40 events' });
    await source.stop();
    await done;
    w.close();
    writeFileSync(checkpointFile(), onDiskAtFirstBatch as Buffer);

    const second = startTail({ path, stateDir });
    runs.push(second);
    await second.waitForCount(40);
    expect(second.bodies()).toEqual(lines);
    // Replayed lines carry the ids they were first emitted with (dedupe by event id downstream).
    expect(second.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});

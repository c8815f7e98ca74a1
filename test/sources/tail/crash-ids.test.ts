/**
 * Crash consistency of event ids: the checkpoint on disk at any moment must let a restarted
 * follower give replayed lines the ids they were first emitted with (dedupe by event id).
 * A "crash" is simulated by saving the checkpoint file as it is on disk while events are in
 * flight, stopping, and restoring that copy before the restart.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlumeEvent } from '../../../src/core/event.js';
import { tailSource } from '../../../src/sources/tail/index.js';
import { testSourceContext } from '../../support/context.js';
import { waitFor } from '../../support/wait.js';
import { lineRange, startTail, useTailDirs, Writer } from './harness.js';

describe('tail source: event ids across a crash', () => {
  const dirs = useTailDirs('rxflume-tail-crash-');

  const checkpointFile = () => join(dirs.stateDir, 'source-tail1.json');

  it('when a file opened short emits its first batch, the checkpoint on disk already holds the fileKey of its ids', async () => {
    const w = new Writer(dirs.path); // empty at open: its fingerprint grows before the first line
    const ctx = testSourceContext('tail1', dirs.stateDir);
    const config = tailSource.configSchema.parse({ path: dirs.path, pollIntervalMs: 20 });
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

    const second = dirs.track(startTail({ path: dirs.path, stateDir: dirs.stateDir }));
    await second.waitForCount(40);
    expect(second.bodies()).toEqual(lines);
    // Replayed lines carry the ids they were first emitted with (dedupe by event id downstream).
    expect(second.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});

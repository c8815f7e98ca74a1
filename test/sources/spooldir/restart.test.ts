import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/core/checkpoint-store.js';
import type { FlumeEvent } from '../../../src/core/event.js';
import type { SpoolCheckpointState } from '../../../src/sources/spooldir/checkpoint-state.js';
import { readIdentity } from '../../../src/sources/spooldir/identity.js';
import { spooldirConfigSchema, spooldirSource } from '../../../src/sources/spooldir/index.js';
import { testSourceContext } from '../../support/context.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';
import { lines, type SpoolRun, spoolFile, startSpool } from './harness.js';

let spool: { dir: string; cleanup: () => Promise<void> };
let state: { dir: string; cleanup: () => Promise<void> };
const runs: SpoolRun[] = [];

beforeEach(async () => {
  spool = await tempDir('rxflume-spool-');
  state = await tempDir('rxflume-state-');
});

afterEach(async () => {
  for (const r of runs.splice(0)) await r.stop();
  await spool.cleanup();
  await state.cleanup();
});

function start(config: Record<string, unknown> = {}, extra: Partial<Parameters<typeof startSpool>[0]> = {}): SpoolRun {
  const r = startSpool({ spoolDir: spool.dir, stateDir: state.dir, config, ...extra });
  runs.push(r);
  return r;
}

async function savedState(): Promise<SpoolCheckpointState> {
  const text = await readFile(join(state.dir, 'source-spool.json'), 'utf8');
  return JSON.parse(text).state as SpoolCheckpointState;
}

describe('spooldir restart', () => {
  it('resumes a half-read file after its committed offset; duplicates stay within the unacknowledged', async () => {
    const all = lines('row', 1000);
    await spoolFile(spool.dir, 'day.txt', `${all.join('\n')}\n`);
    const first = start({ batchSize: 100 }, { autoAck: false, gate: { maxEvents: 300 } });
    await waitFor(() => first.events.length === 300, { what: 'gate full' });
    first.settle(150);
    await waitFor(() => first.events.length === 400, { what: 'one more batch after credit came back' });
    await first.stop();
    const committed = (first.events[149]?.position.end ?? -1) as number;
    const unacknowledged = first.events.length - 150;

    const saved = await savedState();
    expect(saved.files).toHaveLength(1);
    expect(saved.files[0]?.offset).toBe(committed);
    expect(await readdir(spool.dir)).toEqual(['day.txt']);
    const stopped = await first.completed.then(() => 'completed');
    expect(stopped).toBe('completed');

    const second = start({ batchSize: 100 });
    await waitFor(async () => (await readdir(spool.dir)).includes('day.txt.COMPLETED'), { what: 'file finished by the second run' });
    expect(second.events[0]?.position.offset).toBe(committed);
    expect(second.bodies()).toEqual(all.slice(150));
    const firstIds = new Set(first.events.map((e) => e.id));
    const duplicates = second.events.filter((e) => firstIds.has(e.id)).length;
    expect(duplicates).toBeLessThanOrEqual(unacknowledged);
    expect(duplicates).toBe(250);
    // Every line reached the sink at least once.
    expect(new Set([...first.bodies().slice(0, 150), ...second.bodies()])).toEqual(new Set(all));
    await waitFor(async () => (await savedState()).files.length === 0, { what: 'entry dropped after the rename' });
  });

  it('finishes on start a file whose lines were all committed before the crash', async () => {
    const path = await spoolFile(spool.dir, 'done.txt', 'a\nb\n');
    const fh = await open(path, 'r');
    const st = await fh.stat();
    const identity = await readIdentity(fh, st);
    await fh.close();
    const store = new CheckpointStore<SpoolCheckpointState>(state.dir, 'source-spool');
    await store.save({ files: [{ path, ...identity, offset: st.size }] });

    const r = start();
    await waitFor(async () => (await readdir(spool.dir)).includes('done.txt.COMPLETED'), { what: 'finished on start' });
    expect(r.events).toEqual([]);
    await waitFor(async () => (await savedState()).files.length === 0, { what: 'entry dropped' });
  });

  it('forgets a checkpoint entry whose file was replaced, and reads the new file from the start', async () => {
    const path = await spoolFile(spool.dir, 'same-name.txt', 'old-1\nold-2\n');
    const fh = await open(path, 'r');
    const identity = await readIdentity(fh, await fh.stat());
    await fh.close();
    const store = new CheckpointStore<SpoolCheckpointState>(state.dir, 'source-spool');
    await store.save({ files: [{ path, ...identity, fingerprint: 'not-this-file', offset: 6 }] });

    const r = start();
    await waitFor(async () => (await readdir(spool.dir)).includes('same-name.txt.COMPLETED'), { what: 'read as a new file' });
    expect(r.bodies()).toEqual(['old-1', 'old-2']);
  });

  it('keeps a file with failed events and re-reads it from its committed offset after a restart', async () => {
    await spoolFile(spool.dir, 'a.txt', 'a1\na2\na3\na4\n', 20_000);
    await spoolFile(spool.dir, 'b.txt', 'b1\n', 10_000);
    const first = start({ batchSize: 2 }, { autoAck: false });
    await waitFor(() => first.events.length === 5, { what: 'both files read' });
    first.settle(1); // a1
    first.settle(1, 'failed'); // a2: a sink lost it
    first.settle(); // a3, a4, b1
    await waitFor(async () => (await readdir(spool.dir)).includes('b.txt.COMPLETED'), { what: 'b finished' });
    await sleep(150); // several polls: a.txt must neither be renamed nor read again
    expect(await readdir(spool.dir)).toContain('a.txt');
    expect(first.events).toHaveLength(5);
    await first.stop();

    const second = start();
    await waitFor(async () => (await readdir(spool.dir)).includes('a.txt.COMPLETED'), { what: 'a finished after restart' });
    expect(second.bodies()).toEqual(['a2', 'a3', 'a4']);
  });

  it('stop resolves while an admission waits on a full gate; late credit is returned, not emitted', async () => {
    const all = lines('row', 500);
    await spoolFile(spool.dir, 'day.txt', `${all.join('\n')}\n`);
    const r = start({ batchSize: 50 }, { autoAck: false, gate: { maxEvents: 100 } });
    await waitFor(() => r.events.length === 100, { what: 'gate full' });
    await r.source.stop(); // must not hang on the parked admission
    await r.completed;
    r.settle(); // the parked admission now gets credit: it is failed back, never emitted
    await waitFor(() => r.ctx.gate.inFlightEvents === 0, { what: 'all credit returned' });
    expect(r.events).toHaveLength(100);
    await r.source.stop();
    await waitFor(async () => (await savedState()).files[0]?.offset === r.events[99]?.position.end, { what: 'checkpoint at the last ack' });

    const next = start({ batchSize: 50 });
    await waitFor(async () => (await readdir(spool.dir)).includes('day.txt.COMPLETED'), { what: 'finished by the next run' });
    expect(next.bodies()).toEqual(all.slice(100));
  });

  it('a batch the stop caught waiting for the gate is counted read and rejected (stopped), so the books balance', async () => {
    const all = lines('row', 500);
    await spoolFile(spool.dir, 'day.txt', `${all.join('\n')}\n`);
    const ctx = testSourceContext('spool', state.dir, { maxEvents: 100 });
    // Count admissions asked of the (real) gate, to stop exactly while the third one waits.
    const admit = ctx.gate.admit.bind(ctx.gate);
    let asked = 0;
    ctx.gate.admit = (events, bytes) => {
      asked++;
      return admit(events, bytes);
    };
    const source = spooldirSource.create(
      spooldirConfigSchema.parse({ spoolDir: spool.dir, minFileAgeMs: 0, pollDelay: 20, batchSize: 50 }),
      ctx,
    );
    const events: FlumeEvent[] = [];
    const subscription = source.events().subscribe((batch) => events.push(...batch.events));
    try {
      await waitFor(() => events.length === 100 && asked === 3, { what: 'the third batch waiting for the full gate' });
      await source.stop();
      for (const e of events) e.ack.settle('delivered'); // the waiting batch is admitted now, and failed back
      await waitFor(() => ctx.gate.inFlightEvents === 0, { what: 'all credit returned' });
      expect(events).toHaveLength(100);
      const count = (name: string, labels: Record<string, string>) => ctx.metrics.value(name, { component_id: 'spool', ...labels });
      const received = await count('rxflume_events_received_total', { component_kind: 'source' });
      const stopped = await count('rxflume_events_rejected_total', { component_kind: 'source', reason: 'stopped' });
      expect({ received, stopped }).toEqual({ received: 150, stopped: 50 });
      expect(received - stopped).toBe(events.length);
      await source.flush();
      expect((await savedState()).files[0]?.offset).toBe(events[99]?.position.end);
    } finally {
      subscription.unsubscribe();
      await source.stop();
    }
  });

  it('finishes a file whose acks arrive after stop', async () => {
    await spoolFile(spool.dir, 'small.txt', 'a\nb\nc\n');
    const r = start({}, { autoAck: false });
    await waitFor(() => r.events.length === 3, { what: 'read' });
    await r.source.stop();
    expect(await readdir(spool.dir)).toEqual(['small.txt']);
    r.settle();
    await waitFor(async () => (await readdir(spool.dir)).includes('small.txt.COMPLETED'), { what: 'finished after stop' });
    await waitFor(async () => (await savedState()).files.length === 0, { what: 'entry dropped' });
  });

  it('stop is idempotent, completes the observable, and a stopped source reads nothing more', async () => {
    const r = start();
    await sleep(50);
    await Promise.all([r.source.stop(), r.source.stop()]);
    await r.completed;
    await spoolFile(spool.dir, 'after-stop.txt', 'x\n');
    await sleep(150);
    expect(r.events).toEqual([]);
    expect(await readdir(spool.dir)).toEqual(['after-stop.txt']);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../support/wait.js';
import { lineRange, startTail, useTailDirs, Writer } from './harness.js';

describe('tail source: backpressure through the flow gate', () => {
  const dirs = useTailDirs('rxflume-tail-bp-');

  it.each([
    { batchSize: undefined, label: 'default batchSize (capped at the bound)' },
    { batchSize: 30, label: 'batchSize 30' },
  ])('never has more than 100 read-but-unsettled events and resumes as acks arrive ($label)', async ({ batchSize }) => {
    const path = join(dirs.dir, 'a.log');
    const w = new Writer(path);
    const lines = lineRange('x', 0, 1000);
    w.lines(lines);
    w.close();
    const run = startTail({
      path,
      stateDir: dirs.stateDir,
      autoAck: false,
      gate: { maxEvents: 100 },
      config: batchSize === undefined ? {} : { batchSize },
    });
    dirs.track(run);
    const gate = run.ctx.gate;
    await waitFor(() => gate.inFlightEvents >= 90, { what: 'the gate to fill' });
    await sleep(200); // acks withheld: the source must stay blocked
    expect(run.events.length).toBeLessThanOrEqual(100);
    expect(gate.inFlightEvents).toBe(run.events.length);

    while (run.events.length < lines.length) {
      const seen = run.events.length;
      run.ackAll();
      await waitFor(() => run.events.length > seen, { what: `more than ${seen} events after acks` });
      expect(gate.inFlightEvents).toBeLessThanOrEqual(100);
    }
    run.ackAll();
    expect(run.bodies()).toEqual(lines);
    expect(gate.peakEvents).toBeLessThanOrEqual(100);
    expect(gate.inFlightEvents).toBe(0);
  });

  it('stop() does not hang on a pending admission, and returns the credit of a batch admitted after it', async () => {
    const path = join(dirs.dir, 'a.log');
    const w = new Writer(path);
    w.lines(lineRange('x', 0, 300));
    w.close();
    const run = startTail({ path, stateDir: dirs.stateDir, autoAck: false, gate: { maxEvents: 100 }, config: { batchSize: 100 } });
    dirs.track(run);
    await run.waitForCount(100);
    await run.stop(); // the second batch waits for admission: stop must still return
    expect(run.events).toHaveLength(100);
    run.ackAll(); // frees room: the abandoned admission is granted, then failed and released
    await waitFor(() => run.ctx.gate.inFlightEvents === 0, { what: 'all credit back' });
    // The released batch was counted read: it must also be counted rejected (stopped), so that
    // read = passed on + rejected holds after a stop.
    const count = (name: string, labels: Record<string, string>) =>
      run.ctx.metrics.value(name, { component_id: run.ctx.id, component_kind: 'source', ...labels });
    const received = await count('rxflume_events_received_total', {});
    const stopped = await count('rxflume_events_rejected_total', { reason: 'stopped' });
    expect({ received, stopped }).toEqual({ received: 200, stopped: 100 });
  });
});

import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../support/wait.js';
import { lines, spoolFile, useSpoolDirs } from './harness.js';

const dirs = useSpoolDirs();

describe('spooldir flow control', () => {
  it('reads no further than the gate allows while acks are withheld, and resumes on acks', async () => {
    const all = lines('line', 5000);
    await spoolFile(dirs.spoolDir, 'a.txt', `${all.join('\n')}\n`);
    const r = dirs.start({ autoAck: false, gate: { maxEvents: 500 }, config: { batchSize: 100 } });
    await waitFor(() => r.events.length === 500, { what: 'gate full' });
    await sleep(150); // the source must stay parked, not read ahead
    expect(r.events).toHaveLength(500);
    expect(r.ctx.gate.inFlightEvents).toBe(500);

    r.autoAck = true;
    r.settle();
    await waitFor(async () => (await readdir(dirs.spoolDir)).includes('a.txt.COMPLETED'), { what: 'file finished' });
    expect(r.bodies()).toEqual(all);
    expect(r.ctx.gate.peakEvents).toBeLessThanOrEqual(500);
    expect(r.ctx.gate.inFlightEvents).toBe(0);
  });

  it('passes a 200 k line file with exact count and order', async () => {
    const n = 200_000;
    const parts: string[] = new Array(n);
    for (let i = 0; i < n; i++) parts[i] = `20160101000004,K${String(i).padStart(7, '0')},81,97,88,90,1,1,1,1,A,A,83`;
    await spoolFile(dirs.spoolDir, 'SmartCarStatusInfo_20160101.txt', `${parts.join('\n')}\n`);
    const r = dirs.start();
    await waitFor(async () => (await readdir(dirs.spoolDir)).includes('SmartCarStatusInfo_20160101.txt.COMPLETED'), {
      what: 'large file finished',
      timeoutMs: 120_000,
    });
    expect(r.events).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      if (r.events[i]?.body.toString('latin1') !== parts[i]) throw new Error(`line ${i} differs`);
    }
    expect(await r.ctx.metrics.value('rxflume_events_received_total')).toBe(n);
  });
});

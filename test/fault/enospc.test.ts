/**
 * Fault 4: no space left on the checkpoint (state) folder — and, with the disk buffer, on the
 * buffer folder. Method: each is a small tmpfs mounted by the test (`mount -t tmpfs -o size=…`,
 * root only; otherwise the scenario fails saying it needs root); "disk full" is a filler file
 * written until ENOSPC, "space returns" is deleting it.
 *
 * Phase A (running agent): fill up, feed more input; a clear ENOSPC error is logged and counted;
 * the checkpoint files on disk stay exactly as before (state never advances past what was
 * written); free the space; the same process recovers (checkpoints advance again, everything
 * delivered, no restart). Phase B: fill up again, feed input, kill -9 while full, free the space,
 * restart: nothing lost. Duplicate bound: what was read while the checkpoint could not be written
 * (phase B input) plus one in-flight window per source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { crashWindow } from '../support/fault/config.js';
import { stopAndJudge } from '../support/fault/judge.js';
import { scrape, sumSeries, waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { SIZE_NAME } from '../support/fault/sizes.js';
import { fillUp, freeUp, mountTmpfs } from '../support/fault/tmpfs.js';
import { useFaultRig } from '../support/fault/use-rig.js';
import { sleep, waitFor } from '../support/wait.js';

/** The checkpoint files (name → content) in the state folder. */
function checkpoints(stateDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(stateDir)) if (f.endsWith('.json')) out[f] = readFileSync(join(stateDir, f), 'utf8');
  return out;
}

describe.each(bufferKinds({ diskInShort: true }))('ENOSPC on the state and buffer folders (%s buffer)', (buffer) => {
  const rigs = useFaultRig();

  it('state never advances past unwritten data; a clear error; recovery once space returns', { timeout: 900_000 }, async () => {
    const unmounts: (() => void)[] = [];
    const stateDir = (dir: string) => join(dir, 'state-fs');
    const bufferDir = (dir: string) => join(dir, 'buffer-fs');
    const r = await rigs.create({
      buffer,
      prepare: (dir) => {
        unmounts.push(mountTmpfs(stateDir(dir), '1m'));
        if (buffer === 'disk') unmounts.push(mountTmpfs(bufferDir(dir), '64m'));
        return { stateDir: stateDir(dir), bufferDir: bufferDir(dir) };
      },
    });
    r.onClose.push(() => {
      for (const u of unmounts) u();
    });
    const full = () => [fillUp(stateDir(r.dir)), ...(buffer === 'disk' ? [fillUp(bufferDir(r.dir))] : [])];

    // Normal operation first.
    r.spoolStatusDay(1, 21);
    r.appendDriving(3000);
    let agent = await r.start();
    await waitAllDelivered(r, 300_000);
    const errorsOf = async () => sumSeries(await scrape(agent), 'rxflume_checkpoint_writes_total', 'result="error"');

    // Phase A: full while running.
    let fillers = full();
    const before = checkpoints(stateDir(r.dir));
    r.appendDriving(3000);
    r.spoolStatusDay(1, 22);
    await waitFor(async () => (await errorsOf()) > 0, { timeoutMs: 120_000, what: 'a checkpoint write error to be counted' });
    await sleep(1000);
    expect(agent.stderr()).toMatch(/ENOSPC|no space left/i);
    expect(checkpoints(stateDir(r.dir))).toEqual(before);
    for (const f of fillers) freeUp(f);
    await waitAllDelivered(r, 300_000);
    await waitFor(() => JSON.stringify(checkpoints(stateDir(r.dir))) !== JSON.stringify(before), {
      timeoutMs: 120_000,
      what: 'the checkpoints to advance again once space returned',
    });
    await waitBalanced(agent, buffer);

    // Phase B: full again, then a crash while full, then space returns and a restart.
    fillers = full();
    const phaseB = 3000;
    r.appendDriving(phaseB);
    await waitFor(async () => (await errorsOf()) > 0, { timeoutMs: 120_000, what: 'a checkpoint write error (phase B)' });
    await sleep(500);
    await r.kill9();
    for (const f of fillers) freeUp(f);
    agent = await r.start();
    await waitAllDelivered(r, 300_000);
    await waitBalanced(agent, buffer);
    await stopAndJudge(
      r,
      `ENOSPC state${buffer === 'disk' ? '+buffer' : ''} dir (${buffer}, ${SIZE_NAME})`,
      phaseB + 2 * crashWindow(buffer),
    );
  });
});

/**
 * Graceful shutdown (issue 8 part 3) with the real CLI:
 *   - SIGTERM under load drains (sources stop, in-flight events are acknowledged, checkpoints
 *     written) within agent.drainTimeoutMs and exits 0; a restart then repeats nothing.
 *   - SIGTERM while the broker is down cannot drain: the agent gives up at the deadline, exits 1,
 *     and the unacknowledged events are delivered after a restart.
 *   - A second signal (SIGTERM then SIGINT) exits at once with 130 without draining; that is as
 *     safe as kill -9: after a restart nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { crashWindow } from '../support/fault/config.js';
import { stopAndJudge } from '../support/fault/judge.js';
import { steadyLoad } from '../support/fault/load.js';
import { waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { SIZE_NAME } from '../support/fault/sizes.js';
import { useFaultRig } from '../support/fault/use-rig.js';
import { sleep, waitFor } from '../support/wait.js';

describe.each(bufferKinds({ diskInShort: false }))('graceful shutdown (%s buffer)', (buffer) => {
  const rigs = useFaultRig({ restoreBroker: true });

  it('SIGTERM under load drains within the deadline and exits 0; the restart repeats nothing', { timeout: 600_000 }, async () => {
    const drainTimeoutMs = 30_000;
    const r = await rigs.create({ buffer, drainTimeoutMs });
    r.spoolStatusDay(1, 51);
    const agent = await r.start();
    await steadyLoad(r, 5000, 2000);
    const sentAt = Date.now();
    agent.child.kill('SIGTERM');
    const { code } = await agent.exit;
    const tookMs = Date.now() - sentAt;
    expect(code).toBe(0);
    expect(agent.stderr()).toContain('"drained":true');
    // The deadline is the feature under test (not speed): the agent enforces it itself.
    expect(tookMs).toBeLessThan(2 * drainTimeoutMs);
    r.appendDriving(1000);
    const again = await r.start();
    await waitAllDelivered(r, 300_000);
    await waitBalanced(again, buffer);
    const report = await stopAndJudge(r, `SIGTERM drain under load (${buffer}, ${SIZE_NAME}, ${tookMs} ms)`, 0);
    // A drained stop leaves nothing to repeat.
    expect(report.driving.duplicates + report.status.duplicates).toBe(0);
  });

  it('SIGTERM with the broker down gives up at the drain deadline (exit 1); the restart delivers the rest', {
    timeout: 600_000,
  }, async () => {
    const drainTimeoutMs = 2000;
    const r = await rigs.create({ buffer, drainTimeoutMs });
    r.appendDriving(2000);
    const agent = await r.start();
    await r.reader.waitForCount(2000);
    await rigs.broker().down();
    r.appendDriving(3000);
    await sleep(500);
    agent.child.kill('SIGTERM');
    const { code } = await agent.exit;
    expect(code).toBe(1);
    expect(agent.stderr()).toContain('drain deadline passed');
    await rigs.broker().up();
    const again = await r.start();
    await waitAllDelivered(r, 300_000);
    await waitBalanced(again, buffer);
    await stopAndJudge(r, `SIGTERM, broker down: drain deadline (${buffer}, ${SIZE_NAME})`, 2 * crashWindow(buffer));
  });

  it('a second signal exits at once (130) without draining; nothing is lost after a restart', { timeout: 600_000 }, async () => {
    // A long deadline: the drain would wait a minute for the broker, the second signal does not.
    const r = await rigs.create({ buffer, drainTimeoutMs: 60_000 });
    r.spoolStatusDay(1, 61);
    r.appendDriving(2000);
    const agent = await r.start();
    await r.reader.waitForCount(1000);
    await rigs.broker().down();
    r.appendDriving(3000);
    await sleep(500);
    agent.child.kill('SIGTERM');
    await waitFor(() => agent.stderr().includes('draining'), { what: 'the drain to begin' });
    agent.child.kill('SIGINT');
    const { code } = await agent.exit;
    expect(code).toBe(130);
    expect(agent.stderr()).toContain('second signal: exiting without draining');
    expect(agent.stderr()).not.toContain('agent stopped');
    await rigs.broker().up();
    const again = await r.start();
    await waitAllDelivered(r, 300_000);
    await waitBalanced(again, buffer);
    await stopAndJudge(r, `second signal during drain (${buffer}, ${SIZE_NAME})`, 2 * crashWindow(buffer));
  });
});

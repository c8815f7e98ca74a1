/**
 * How the demo ends when stopped from outside:
 *   - Ctrl-C in a terminal sends SIGINT to the demo's whole process group, children included.
 *     The demo must still stop in its own order (simulators, then the agent drains into the
 *     broker, then the broker): its mock broker must not die first, or the last driving lines
 *     cannot be delivered, the drain is cut short and the summary does not balance.
 *   - kill -9 of the demo alone: its children must not run on as orphans (the driving simulator
 *     would append to its log forever).
 *   - its output closed (`npm start | head`): it stops as if asked to, drains and balances,
 *     rather than dying of EPIPE mid-run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchAgentView } from '../../src/top/fetch.js';
import { BIN } from '../support/cli.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The demo as the leader of its own process group, like a shell job. */
function startDemoGroup(
  dir: string,
  extra: readonly string[] = [],
): { child: ChildProcess; stdout: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'demo', '--cars', '20', '--dir', dir, '--metrics-address', '127.0.0.1:0', ...extra], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  });
  return { child, stdout: () => out, exit };
}

describe('rxflume demo stopped from outside', () => {
  it('SIGINT to the whole process group still drains into the broker and balances', { timeout: 240_000 }, async () => {
    const t = await tempDir('rxflume-demo-ctrlc-');
    cleanups.push(t.cleanup);
    const demo = startDemoGroup(t.dir);
    const url = await waitFor(() => /rxflume top --url (\S+)\)/.exec(demo.stdout())?.[1], {
      timeoutMs: 120_000,
      what: `the demo to serve metrics:\n${demo.stdout()}`,
    });
    // Kafka is flowing: the driving sink has broker acks.
    await waitFor(async () => ((await fetchAgentView(url)).reading.sinks.find((s) => s.id === 'driving_kafka')?.delivered ?? 0) > 100, {
      timeoutMs: 120_000,
      what: 'driving lines acknowledged by the broker',
    });
    // Lines the agent reads just as Ctrl-C arrives: they can only be delivered if the broker
    // outlives the drain.
    const late = Array.from({ length: 2000 }, (_, i) => `20190101000000,Z${String(i).padStart(4, '0')},1,0,F,N,10,A01\n`).join('');
    appendFileSync(join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log'), late);
    process.kill(-(demo.child.pid as number), 'SIGINT');
    const code = await demo.exit;
    const summary = JSON.parse(readFileSync(join(t.dir, 'summary.json'), 'utf8')) as { drained: boolean; balanced: boolean };
    expect(summary, demo.stdout()).toMatchObject({ drained: true, balanced: true });
    expect(code, demo.stdout()).toBe(0);
    expect(demo.stdout()).toMatch(/^balanced: yes/m);
  });

  it('kill -9 of the demo leaves no simulator running', { timeout: 240_000 }, async () => {
    const t = await tempDir('rxflume-demo-kill9-');
    cleanups.push(t.cleanup);
    const demo = startDemoGroup(t.dir, ['--no-kafka']);
    const log = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    await waitFor(() => existsSync(log) && statSync(log).size > 0, { timeoutMs: 120_000, what: 'the driving simulator to write' });
    demo.child.kill('SIGKILL');
    await demo.exit;
    // The driving simulator stops once it notices: its log stops growing.
    let last = -1;
    await waitFor(
      async () => {
        const size = statSync(log).size;
        const still = size === last;
        last = size;
        await sleep(1000);
        return still && statSync(log).size === size;
      },
      { timeoutMs: 60_000, what: 'the driving log to stop growing' },
    );
    expect(readFileSync(log, 'utf8').endsWith('\n')).toBe(true);
  });

  it('stops cleanly when its output goes away', { timeout: 240_000 }, async () => {
    const t = await tempDir('rxflume-demo-epipe-');
    cleanups.push(t.cleanup);
    const demo = startDemoGroup(t.dir, ['--no-kafka']);
    await waitFor(() => demo.stdout().includes('rxflume top --url'), { timeoutMs: 120_000, what: 'the agent line' });
    // Like `| head` exiting: the read end of the demo's stdout closes.
    demo.child.stdout?.destroy();
    const code = await demo.exit;
    const summary = JSON.parse(readFileSync(join(t.dir, 'summary.json'), 'utf8')) as { drained: boolean; balanced: boolean };
    expect(summary).toMatchObject({ drained: true, balanced: true });
    expect(code, demo.stdout()).toBe(0);
  });
});

/**
 * The reloader around a real agent: a sink that fails to start on reload leaves its pipeline down
 * (not ready, counted as failed) and the next reload rebuilds it even though the config did not
 * change, with no line lost; a reload asked for before the agent started waits for the start.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentConfig, parseConfig } from '../../../src/config/load.js';
import { Agent } from '../../../src/core/agent.js';
import type { Sink } from '../../../src/core/component.js';
import type { EventBatch } from '../../../src/core/event.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ConfigReloader } from '../../../src/core/reload.js';
import { readinessOf } from '../../../src/http/readiness.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';

/** Keeps what it is given in memory; its start fails while `failStarts` > 0. */
class MemorySink implements Sink {
  readonly bodies: string[] = [];
  constructor(
    readonly id: string,
    private failStarts = 0,
  ) {}
  async start(): Promise<void> {
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error('destination refused the connection');
    }
  }
  async write(batch: EventBatch): Promise<void> {
    for (const e of batch.events) this.bodies.push(e.body.toString());
  }
  async close(): Promise<void> {}
}

function config(dir: string, batchSize: number, sink: Sink): AgentConfig {
  const parsed = parseConfig(
    `
agent: { id: reloader, stateDir: ${dir}/state, drainTimeoutMs: 20000 }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  lines: { type: tail, path: ${dir}/in.log, startAt: beginning, pollIntervalMs: 10, sinks: [out] }
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /out, batchSize: ${batchSize}, batchTimeoutMs: 10 }
`,
    'reloader.yaml',
    {},
  );
  return {
    ...parsed,
    sinks: parsed.sinks.map((s) => ({ ...s, registration: { ...s.registration, create: () => sink } })),
  };
}

describe('config reloader', () => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await cleanup();
  });

  it('a sink that fails to restart keeps its pipeline down until the next reload rebuilds it; nothing is lost', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const input = join(t.dir, 'in.log');
    writeFileSync(input, 'a\nb\n');
    const first = new MemorySink('out');
    const a = await Agent.create(config(t.dir, 10, first), { logger: silentLogger() });
    agent = a;
    await a.start();
    await waitFor(() => first.bodies.length === 2, { what: 'the first lines' });

    const flaky = new MemorySink('out', 1);
    let next = config(t.dir, 20, flaky);
    const reloader = new ConfigReloader({ agent: a, load: async () => next, logger: silentLogger() });
    const failed = await reloader.request('test');
    expect(failed.result).toBe('failed');
    expect(failed.result === 'failed' && failed.applied?.failed).toEqual({ sources: ['lines'], sinks: ['out'] });
    expect(readinessOf(a.status()).notReady).toEqual(['source lines: not started', 'sink out: not started']);
    expect(await a.metrics.value('rxflume_config_reloads_total', { result: 'failed' })).toBe(1);
    expect(await a.metrics.value('rxflume_config_last_reload_success')).toBe(0);

    appendFileSync(input, 'c\nd\n');
    // The same config again: the failed parts are rebuilt (a fresh parse, as from the file).
    next = config(t.dir, 20, flaky);
    const retried = await reloader.request('test');
    expect(retried.result).toBe('applied');
    expect(retried.result === 'applied' && retried.diff.reasons.lines).toEqual(['sink out', 'restart after an earlier failure']);
    expect(readinessOf(a.status()).ready).toBe(true);
    await waitFor(() => flaky.bodies.length === 2, { what: 'the lines written while the pipeline was down' });
    expect([...first.bodies, ...flaky.bodies]).toEqual(['a', 'b', 'c', 'd']);
    expect(await a.metrics.value('rxflume_config_last_reload_success')).toBe(1);
  });

  it('a reload requested before the agent started runs once the start is over', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    const sink = new MemorySink('out');
    const a = await Agent.create(config(t.dir, 10, sink), { logger: silentLogger() });
    agent = a;
    let loads = 0;
    let release: () => void = () => undefined;
    const startGate = new Promise<void>((r) => (release = r));
    const reloader = new ConfigReloader({
      agent: a,
      load: async () => {
        loads++;
        return config(t.dir, 10, sink);
      },
      logger: silentLogger(),
      after: startGate.then(() => a.start()),
    });
    const outcome = reloader.request('SIGHUP');
    await sleep(200);
    expect(loads).toBe(0);
    release();
    expect((await outcome).result).toBe('unchanged');
    expect(loads).toBe(1);
  });
});

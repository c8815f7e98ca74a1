/**
 * Agent shutdown (drain) when something misbehaves: a sink whose write never returns, a source
 * whose checkpoint cannot be written, a stop that arrives while sinks are still starting. In
 * every case `stop()` must resolve (the CLI then exits), close what it can, and never claim a
 * drain it did not finish.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentConfig, parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import type { Sink } from '../../src/core/component.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { listFiles } from '../support/pilot.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

/** A sink whose writes never settle (a destination that hangs); counts what it was given. */
class HungSink implements Sink {
  writes = 0;
  closes = 0;
  constructor(readonly id: string) {}
  async start(): Promise<void> {}
  write(_batch: EventBatch): Promise<void> {
    this.writes++;
    return new Promise(() => undefined);
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

/** Replaces the sink `id`'s component with `sink` (the rest of the config stays real). */
function withSink(config: AgentConfig, id: string, sink: Sink): AgentConfig {
  return {
    ...config,
    sinks: config.sinks.map((s) => (s.id === id ? { ...s, registration: { ...s.registration, create: () => sink } } : s)),
  };
}

function tailConfig(dir: string, drainTimeoutMs: number): AgentConfig {
  return parseConfig(
    `
agent: { id: drain-agent, stateDir: ${dir}/state, drainTimeoutMs: ${drainTimeoutMs} }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  lines:
    type: tail
    path: ${dir}/in.log
    pollIntervalMs: 20
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /out, filePrefix: lines, batchSize: 10, batchTimeoutMs: 10 }
`,
    't.yaml',
    {},
  );
}

describe('agent drain', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('a sink whose write never returns cannot hold the drain past its deadline', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    const hung = new HungSink('out');
    const agent = await Agent.create(withSink(tailConfig(t.dir, 300), 'out', hung), { logger: silentLogger() });
    await agent.start();
    appendFileSync(join(t.dir, 'in.log'), 'a\nb\nc\n');
    await waitFor(() => hung.writes > 0, { what: 'the sink to be given a batch' });
    // Without a bound on closing the sinks, this never resolves (the close waits for the write).
    const result = await Promise.race([agent.stop(), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref())]);
    expect(result).toEqual({ drained: false });
  });

  it('a drain deadline longer than one timer can hold waits for the sink instead of firing at once', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    const held = new HungSink('out');
    const release: Array<() => void> = [];
    held.write = () => {
      held.writes++;
      return new Promise<void>((r) => release.push(r));
    };
    const agent = await Agent.create(withSink(tailConfig(t.dir, 2 ** 31 - 1), 'out', held), { logger: silentLogger() });
    await agent.start();
    appendFileSync(join(t.dir, 'in.log'), 'a\nb\n');
    await waitFor(() => held.writes > 0, { what: 'the sink to be given a batch' });
    const stopped = agent.stop();
    await sleep(100);
    for (const r of release.splice(0)) r();
    expect(await stopped).toEqual({ drained: true });
  });

  it('a source whose checkpoint cannot be written still lets the agent close its sinks and resolve', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const spool = join(t.dir, 'spool');
    mkdirSync(spool, { recursive: true });
    mkdirSync(join(t.dir, 'state'), { recursive: true });
    // The checkpoint's temp file is a folder: every checkpoint write fails (EISDIR).
    mkdirSync(join(t.dir, 'state', 'source-spool.json.tmp'));
    const config = parseConfig(
      `
agent: { id: drain-agent, stateDir: ${t.dir}/state, drainTimeoutMs: 20000 }
deadLetter: { dir: ${t.dir}/dead-letter }
sources:
  spool:
    type: spooldir
    spoolDir: ${spool}
    minFileAgeMs: 0
    pollDelay: 20
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${t.dir}/hdfs, path: /out, filePrefix: lines, fileSuffix: .log, batchSize: 10, batchTimeoutMs: 10 }
`,
      't.yaml',
      {},
    );
    const agent = await Agent.create(config, { logger: silentLogger() });
    await agent.start();
    writeFileSync(join(spool, 'a.txt'), 'one\ntwo\nthree\n');
    await waitFor(async () => (await listFiles(join(t.dir, 'hdfs'))).length > 0, { what: 'the sink to open a file' });
    await expect(agent.stop()).resolves.toEqual({ drained: true });
    // The sink was closed: its file is published under its final name, not left in use.
    const files = await listFiles(join(t.dir, 'hdfs'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a stop that arrives while the sinks are starting resolves without waiting for the deadline', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    let releaseStart: () => void = () => undefined;
    const slow = new HungSink('out');
    slow.start = () => new Promise<void>((r) => (releaseStart = r));
    const agent = await Agent.create(withSink(tailConfig(t.dir, 60_000), 'out', slow), { logger: silentLogger() });
    const started = agent.start();
    const stopped = agent.stop();
    releaseStart();
    await started;
    const result = await Promise.race([stopped, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref())]);
    expect(result).toEqual({ drained: true });
    expect(slow.closes).toBe(1);
  });
});

/**
 * Reloads under trouble, on a real agent: a sink that keeps failing while its pipeline is
 * restarted (the drain deadline bounds the reload, the unsettled lines are read again and reach
 * the sink once it recovers); a stop after a reload whose new sink failed to start; the gauges of
 * a removed sink and source leave /metrics, and a replaced sink does not inherit the connection
 * state its predecessor reported (readiness).
 */
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentConfig, parseConfig } from '../../../src/config/load.js';
import { Agent } from '../../../src/core/agent.js';
import type { ComponentContext, Sink } from '../../../src/core/component.js';
import { ErrorCodes, RxfError } from '../../../src/core/errors.js';
import type { EventBatch } from '../../../src/core/event.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ConfigReloader } from '../../../src/core/reload.js';
import { readinessOf } from '../../../src/http/readiness.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';

/** Keeps what it is given; writes fail (transient) while `down`; can report its connection. */
class FlakySink implements Sink {
  readonly bodies: string[] = [];
  down = false;
  failStart = false;
  constructor(
    readonly id: string,
    private readonly ctx?: ComponentContext,
    private readonly reportConnected?: boolean,
  ) {}
  async start(): Promise<void> {
    if (this.failStart) throw new Error('destination refused the connection');
    if (this.reportConnected !== undefined) this.ctx?.metrics.sinkConnection(this.id, this.reportConnected);
  }
  async write(batch: EventBatch): Promise<void> {
    if (this.down) throw new RxfError(ErrorCodes.SINK_TRANSIENT, 'destination unreachable', { retriable: true });
    for (const e of batch.events) this.bodies.push(e.body.toString());
  }
  async close(): Promise<void> {}
}

interface Layout {
  readonly dir: string;
  readonly interceptors?: string;
  readonly drainTimeoutMs?: number;
  /** Include the second source/sink pair (`extra` → `extra_out`). */
  readonly extra?: boolean;
}

function configText(l: Layout): string {
  const d = l.dir;
  return `
agent: { id: faults, stateDir: ${d}/state, drainTimeoutMs: ${l.drainTimeoutMs ?? 20000} }
deadLetter: { dir: ${d}/dead-letter }
sources:
  lines:
    type: tail
    path: ${d}/in.log
    startAt: beginning
    pollIntervalMs: 10
    interceptors: [${l.interceptors ?? ''}]
    sinks: [out]${
      l.extra
        ? `
  extra: { type: tail, path: ${d}/extra.log, startAt: beginning, pollIntervalMs: 10, sinks: [extra_out] }`
        : ''
    }
sinks:
  out: { type: hdfs, root: ${d}/hdfs, path: /out, batchSize: 10, batchTimeoutMs: 10, retry: { initialDelayMs: 10, maxDelayMs: 40 } }${
    l.extra
      ? `
  extra_out: { type: hdfs, root: ${d}/hdfs, path: /extra, batchSize: 10, batchTimeoutMs: 10 }`
      : ''
  }
`;
}

/** The config with every sink built by `make` (real config parsing, test sinks). */
function withSinks(text: string, make: (id: string, ctx: ComponentContext) => Sink): AgentConfig {
  const parsed = parseConfig(text, 'faults.yaml', {});
  return {
    ...parsed,
    sinks: parsed.sinks.map((s) => ({
      ...s,
      registration: { ...s.registration, create: (_o: unknown, ctx: ComponentContext) => make(s.id, ctx) },
    })),
  };
}

describe('config reload under faults', () => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await cleanup();
  });

  async function setup(layout: Omit<Layout, 'dir'>, make: (id: string, ctx: ComponentContext) => Sink, logger = silentLogger()) {
    const t = await tempDir('rxflume-reload-faults-');
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    writeFileSync(join(t.dir, 'extra.log'), '');
    const a = await Agent.create(withSinks(configText({ dir: t.dir, ...layout }), make), { logger });
    agent = a;
    await a.start();
    let next: AgentConfig = a.config;
    const reloader = new ConfigReloader({ agent: a, load: async () => next, logger: silentLogger() });
    const reload = (config: AgentConfig) => {
      next = config;
      return reloader.request('test');
    };
    return { dir: t.dir, agent: a, reload };
  }

  it('a pipeline whose sink keeps failing is cut off at the drain deadline; its lines are read again and delivered once the sink recovers', async () => {
    const sink = new FlakySink('out');
    const { dir, agent: a, reload } = await setup({ drainTimeoutMs: 300 }, () => sink);
    const input = join(dir, 'in.log');
    appendFileSync(input, 'a1\na2\n');
    await waitFor(() => sink.bodies.length === 2, { what: 'the first lines' });

    sink.down = true;
    appendFileSync(input, 'b1\nb2\nb3\n');
    await waitFor(async () => (await a.metrics.value('rxflume_sink_retries_total', { component_id: 'out' })) > 2, {
      what: 'the sink to retry',
    });
    // The sink is unchanged (same object): only the pipeline restarts, and the drain cannot finish.
    const sinkBefore = a.sink('out');
    const outcome = await reload(
      withSinks(configText({ dir, drainTimeoutMs: 300, interceptors: "{ type: regex_filter, regex: '.' }" }), () => sink),
    );
    expect(outcome.result).toBe('applied');
    expect(outcome.result === 'applied' && outcome.applied.drained).toBe(false);
    expect(a.sink('out')).toBe(sinkBefore);

    appendFileSync(input, 'c1\n');
    sink.down = false;
    await waitFor(() => ['b1', 'b2', 'b3', 'c1'].every((l) => sink.bodies.includes(l)), { what: 'every line after the sink recovered' });
    expect(new Set(sink.bodies)).toEqual(new Set(['a1', 'a2', 'b1', 'b2', 'b3', 'c1']));
    // Only lines that were in flight at the reload may come twice.
    for (const line of ['a1', 'a2', 'c1']) expect(sink.bodies.filter((b) => b === line)).toHaveLength(1);
    expect(await a.stop()).toEqual({ drained: true });
  });

  it('a tail file rotated while its pipeline is being restarted loses no line', async () => {
    const sink = new FlakySink('out');
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => messages.push(String(JSON.parse(line).msg)) });
    const { dir, agent: a, reload } = await setup({}, () => sink, logger);
    const input = join(dir, 'in.log');
    appendFileSync(input, 'a1\na2\n');
    await waitFor(() => sink.bodies.length === 2, { what: 'the first lines' });
    // The sink fails until released: the drain of the old pipeline waits on it.
    sink.down = true;
    appendFileSync(input, 'b1\nb2\n');
    await waitFor(async () => (await a.metrics.value('rxflume_sink_retries_total', { component_id: 'out' })) > 0, {
      what: 'b lines in flight',
    });
    const reloading = reload(withSinks(configText({ dir, interceptors: "{ type: regex_filter, regex: '.' }" }), () => sink));
    // The old source is told to stop right after this line is logged.
    await waitFor(() => messages.includes('reload: draining the pipelines that change'), { what: 'the drain to begin' });
    await sleep(100);
    // While the old source is stopped: one more line, then logrotate's rename and a fresh file.
    appendFileSync(input, 'b3\n');
    renameSync(input, `${input}.1`);
    writeFileSync(input, 'c1\n');
    sink.down = false;
    expect((await reloading).result).toBe('applied');
    appendFileSync(input, 'c2\n');
    await waitFor(() => ['b3', 'c1', 'c2'].every((l) => sink.bodies.includes(l)), { what: `every line: ${sink.bodies.join(',')}` });
    expect([...sink.bodies].sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'c1', 'c2']);
  });

  it('two sources share a sink: a change to one restarts only it; the other and the sink keep running, no line lost or repeated', async () => {
    const sink = new FlakySink('out');
    const shared = (l: Omit<Layout, 'dir'>, dir: string) =>
      configText({ dir, ...l })
        .replace('sinks: [extra_out]', 'sinks: [out]')
        .replace(/\n {2}extra_out: .*\n/, '\n');
    const t = await tempDir('rxflume-reload-shared-');
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'in.log'), '');
    writeFileSync(join(t.dir, 'extra.log'), '');
    const a = await Agent.create(
      withSinks(shared({ extra: true }, t.dir), () => sink),
      { logger: silentLogger() },
    );
    agent = a;
    expect(a.config.sinks.map((s) => s.id)).toEqual(['out']);
    await a.start();
    let next = a.config;
    const reloader = new ConfigReloader({ agent: a, load: async () => next, logger: silentLogger() });
    const extraPipeline = a.pipeline('extra');
    const sinkObject = a.sink('out');
    const expected: string[] = [];
    const write = (file: string, prefix: string, n: number) => {
      const batch = Array.from({ length: n }, (_, i) => `${prefix}-${expected.length + i}`);
      appendFileSync(join(t.dir, file), `${batch.join('\n')}\n`);
      expected.push(...batch);
    };
    write('in.log', 'in', 50);
    write('extra.log', 'extra', 50);
    next = withSinks(shared({ extra: true, interceptors: "{ type: regex_filter, regex: '.' }" }, t.dir), () => sink);
    const outcome = await reloader.request('test');
    expect(outcome.result === 'applied' && outcome.diff.sources).toMatchObject({ changed: ['lines'], unchanged: ['extra'] });
    write('in.log', 'in', 50);
    write('extra.log', 'extra', 50);
    await waitFor(() => sink.bodies.length >= expected.length, { what: 'every line of both sources' });
    expect(a.pipeline('extra')).toBe(extraPipeline);
    expect(a.sink('out')).toBe(sinkObject);
    expect([...sink.bodies].sort()).toEqual([...expected].sort());
  });

  it('a stop after a reload whose new sink failed to start drains at once and fully', async () => {
    const first = new FlakySink('out');
    const { dir, agent: a, reload } = await setup({}, () => first);
    appendFileSync(join(dir, 'in.log'), 'a\n');
    await waitFor(() => first.bodies.length === 1, { what: 'the first line' });
    const broken = new FlakySink('out');
    broken.failStart = true;
    const text = configText({ dir }).replace('batchSize: 10,', 'batchSize: 11,');
    const outcome = await reload(withSinks(text, () => broken));
    expect(outcome.result).toBe('failed');
    expect(readinessOf(a.status()).ready).toBe(false);
    appendFileSync(join(dir, 'in.log'), 'b\n');
    // drainTimeoutMs is 20 s: a drained result means nothing waited for the deadline.
    expect(await a.stop()).toEqual({ drained: true });
    agent = undefined;
  });

  it('a removed sink and source take their gauges out of /metrics; a replaced sink starts without the old connection state', async () => {
    const sinks = new Map<string, FlakySink>();
    const make = (reportConnected?: boolean) => (id: string, ctx: ComponentContext) => {
      // The Kafka sink reports itself disconnected when its brokers are unreachable at start.
      const s = new FlakySink(id, ctx, id === 'out' ? reportConnected : undefined);
      ctx.metrics.fileSinkCreated(id); // as the file sinks do: rxflume_sink_files_open exists
      sinks.set(id, s);
      return s;
    };
    const { dir, agent: a, reload } = await setup({ extra: true }, make(false));
    appendFileSync(join(dir, 'extra.log'), 'x\n');
    await waitFor(() => sinks.get('extra_out')?.bodies.length === 1, { what: 'the extra line' });
    expect(readinessOf(a.status()).notReady).toEqual(['sink out: disconnected']);
    const text = () => a.metrics.registry.metrics();
    expect(await text()).toContain('rxflume_buffer_fill_ratio{component_id="extra"');
    expect(await text()).toContain('rxflume_sink_connected{component_id="extra_out"');
    expect(await text()).toContain('rxflume_sink_files_open{component_id="extra_out"');
    expect(await text()).toContain('rxflume_source_lag_bytes{component_id="extra"');

    // `out` is replaced by a sink that never reports its connection (taken as connected).
    const replaced = await reload(withSinks(configText({ dir }).replace('batchSize: 10,', 'batchSize: 12,'), make(undefined)));
    expect(replaced.result).toBe('applied');
    expect(replaced.result === 'applied' && replaced.diff.sources.removed).toEqual(['extra']);
    expect(readinessOf(a.status())).toEqual({ ready: true, notReady: [] });
    expect(await a.metrics.value('rxflume_sink_connected', { component_id: 'out' })).toBe(1);
    const after = await text();
    // Gauges of what no longer exists would keep alerts firing (buffer full, sink down) forever.
    for (const gauge of ['rxflume_buffer_fill_ratio', 'rxflume_buffer_events', 'rxflume_buffer_capacity_events']) {
      expect(after).not.toContain(`${gauge}{component_id="extra"`);
    }
    expect(after).not.toContain('rxflume_sink_connected{component_id="extra_out"');
    expect(after).not.toContain('rxflume_sink_files_open{component_id="extra_out"');
    expect(after).not.toContain('rxflume_source_lag_bytes{component_id="extra"');
    // Counters stay: what was delivered before the removal is still counted.
    expect(await a.metrics.value('rxflume_sink_events_total', { component_id: 'extra_out', result: 'acknowledged' })).toBe(1);
  });
});

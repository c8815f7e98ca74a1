/**
 * The agent: builds every component from a validated config and runs their lifecycle.
 *
 * Start order: schema registry → dead-letter sink → sinks (start = crash recovery) → pipelines.
 * Stop order (drain): sources stop reading → pipelines settle what was read → then, together,
 * sinks close (files finalized), sources flush (checkpoints of the last acks, spool renames) and
 * the dead-letter sink closes. If stopping and settling exceed `agent.drainTimeoutMs` (counted
 * from the stop), pipelines are torn down: unsettled events are left unacknowledged, so their
 * checkpoints did not move and a restart reads them again (the same guarantee as a kill -9).
 * The closing steps get one more `drainTimeoutMs`; one that hangs (a sink write that never
 * returns holds its close) is logged and left behind, so `stop()` always resolves and never
 * rejects: a shutdown takes at most twice `drainTimeoutMs` (plus the same again when it waits
 * for a reload that was draining pipelines).
 *
 * Reload (`applyConfig`, driven by reload.ts): the pipelines a ConfigDiff names as changed or
 * removed are drained exactly like a shutdown drains them (their sources flush their
 * checkpoints), the sinks that changed or went away are closed, then the new sinks start and the
 * changed and added pipelines are built and started from the new config. Pipelines and sinks the
 * diff leaves unchanged are not touched: the same objects keep running. A stop that arrives
 * during a reload waits until the reload has drained and rebuilt, then drains everything; new
 * pipelines are not started once a stop began. A sink or pipeline that fails to (re)start stays
 * down (logged, not ready) and is rebuilt by the next reload even if its config is unchanged.
 *
 * Metrics: every source and sink is registered with the agent's Metrics when built (their series
 * start at 0; counters carry on across a reload, while the gauges of a drained pipeline or closed
 * sink, and a sink's reported connection, are removed so nothing stale stays in /metrics or
 * /readyz), buffer gauges are sampled once a second, and
 * `status()` tells readiness probes what has started and which sink reports its destination
 * unreachable.
 */
import { resolve } from 'node:path';
import type { FlowGate } from '../buffers/memory.js';
import { createSourceBuffer } from '../buffers/source-buffer.js';
import { checkConfig } from '../config/check.js';
import type { AgentConfig, SourceSpec } from '../config/load.js';
import { createInterceptorChain } from '../interceptors/registry.js';
import { Metrics } from '../metrics/metrics.js';
import { createSinkLane } from '../operators/sink-lane.js';
import { createCsvParser } from '../schemas/csv-parser.js';
import { createLineParser } from '../schemas/line-parser.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { createFileDeadLetterSink } from '../sinks/dead-letter/index.js';
import type { ComponentContext, DeadLetterSink, RecordParser } from './component.js';
import { type ConfigDiff, type SchemaTexts, schemaTexts } from './config-diff.js';
import { closeWithin, settlePipelines, step } from './drain.js';
import type { Logger } from './logger.js';
import { SourcePipeline } from './pipeline.js';
import { SerialSink } from './serial-sink.js';

export interface AgentRuntime {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

/** What a readiness probe needs to know (see src/http/readiness.ts). */
export interface AgentStatus {
  readonly stopping: boolean;
  readonly sources: ReadonlyArray<{ readonly id: string; readonly started: boolean }>;
  /** `connected`: the sink's last report; undefined when it never reported (taken as connected). */
  readonly sinks: ReadonlyArray<{ readonly id: string; readonly started: boolean; readonly connected: boolean | undefined }>;
}

/** What a reload did; ids of pipelines (sources) and sinks. */
export interface AppliedConfig {
  readonly stopped: readonly string[];
  readonly started: readonly string[];
  readonly sinksClosed: readonly string[];
  readonly sinksStarted: readonly string[];
  /** Sinks and pipelines that could not be (re)started; they stay down until the next reload. */
  readonly failed: { readonly sources: readonly string[]; readonly sinks: readonly string[] };
  /** false when a drain deadline cut the drain of the old pipelines short (nothing is lost). */
  readonly drained: boolean;
}

/** The state between draining/rebuilding and starting the rebuilt parts. */
interface Rebuilt {
  readonly stopIds: readonly string[];
  readonly closeIds: readonly string[];
  readonly newSinks: readonly SerialSink[];
  readonly newPipelines: readonly RunningPipeline[];
  readonly failed: { readonly sources: readonly string[]; readonly sinks: readonly string[] };
  readonly drained: boolean;
}

interface RunningPipeline {
  readonly spec: SourceSpec;
  readonly pipeline: SourcePipeline;
  readonly gate: FlowGate;
  started: boolean;
}

export class Agent {
  readonly metrics: Metrics;
  private current: AgentConfig;
  private registry!: SchemaRegistry;
  private readonly pipelines = new Map<string, RunningPipeline>();
  private readonly sinks = new Map<string, SerialSink>();
  private deadLetter!: DeadLetterSink;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private readonly startedSinks = new Set<string>();
  private readonly needsRestart = { sources: new Set<string>(), sinks: new Set<string>() };
  private running = false;
  private stopping: Promise<{ drained: boolean }> | undefined;
  /** The reload in progress (whole), and its part that drains and rebuilds (what a stop waits for). */
  private applying: Promise<unknown> | undefined;
  private restructuring: Promise<unknown> | undefined;

  private constructor(
    config: AgentConfig,
    private readonly runtime: AgentRuntime,
  ) {
    this.current = config;
    this.metrics = runtime.metrics ?? new Metrics({ enabled: config.metrics?.enabled ?? true });
  }

  /** Builds all components (nothing runs yet). Config problems throw a ConfigError. */
  static async create(config: AgentConfig, runtime: AgentRuntime): Promise<Agent> {
    const agent = new Agent(config, runtime);
    agent.registry = await checkConfig(config);
    agent.build();
    return agent;
  }

  /** The config in effect (the latest applied reload's). */
  get config(): AgentConfig {
    return this.current;
  }

  /**
   * Resolves when every pipeline has finished (sources completed and everything settled). A
   * pipeline drained by a reload does not count: the wait goes on with its replacement.
   */
  get finished(): Promise<void> {
    return (async () => {
      for (;;) {
        const watched = this.pipelineObjects();
        await Promise.all(watched.map((p) => p.done));
        await this.applying;
        const now = this.pipelineObjects();
        if (now.length === watched.length && now.every((p, i) => p === watched[i])) return;
      }
    })();
  }

  /** Flow gates by source id (tests and metrics read their bounds and peaks). */
  gate(sourceId: string): FlowGate | undefined {
    return this.pipelines.get(sourceId)?.gate;
  }

  /** The running pipeline of a source (a reload replaces it only when its config changed). */
  pipeline(sourceId: string): SourcePipeline | undefined {
    return this.pipelines.get(sourceId)?.pipeline;
  }

  /** The sink object shared by the pipelines that feed it. */
  sink(sinkId: string): SerialSink | undefined {
    return this.sinks.get(sinkId);
  }

  /** Ids whose last (re)start failed: a reload rebuilds them even when their config is unchanged. */
  get failedComponents(): { readonly sources: ReadonlySet<string>; readonly sinks: ReadonlySet<string> } {
    return this.needsRestart;
  }

  /** The schemas of the config in effect, as `schemaTexts` gives them. */
  currentSchemaTexts(): SchemaTexts {
    return schemaTexts(this.current, this.registry);
  }

  private pipelineObjects(): SourcePipeline[] {
    return [...this.pipelines.values()].map((r) => r.pipeline);
  }

  private context(id: string): ComponentContext {
    return {
      id,
      agentId: this.current.agent.id,
      stateDir: resolve(this.current.agent.stateDir),
      logger: this.runtime.logger.child({ component: id }),
      metrics: this.metrics,
      now: this.runtime.now ?? Date.now,
    };
  }

  private build(): void {
    this.deadLetter = this.createDeadLetter();
    for (const spec of this.current.sinks) this.buildSink(spec.id);
    for (const spec of this.current.sources) this.pipelines.set(spec.id, this.buildPipeline(spec));
  }

  private createDeadLetter(): DeadLetterSink {
    return createFileDeadLetterSink({ ...this.current.deadLetter, agentId: this.current.agent.id }, this.context('dead-letter'));
  }

  private buildSink(id: string): SerialSink {
    const spec = this.current.sinks.find((s) => s.id === id);
    if (!spec) throw new Error(`sink ${id} vanished after validation`);
    this.metrics.registerSink(spec.id);
    const sink = new SerialSink(spec.registration.create(spec.options, this.context(spec.id)));
    this.sinks.set(spec.id, sink);
    return sink;
  }

  private buildPipeline(spec: SourceSpec): RunningPipeline {
    this.metrics.registerSource(spec.id);
    const ctx = this.context(spec.id);
    const buffer = createSourceBuffer(spec.common.buffer, ctx, spec.common.sinks);
    const gate = buffer.gate;
    const source = spec.registration.create(spec.options, { ...ctx, gate });
    const parser: RecordParser = spec.common.schema
      ? createCsvParser(this.registry.get(spec.common.schema, spec.common.schemaVersion), {
          delimiter: spec.common.delimiter,
          worker: spec.common.parseWorker,
        })
      : createLineParser();
    const sinkSpecs = spec.common.sinks.map((name) => {
      const found = this.current.sinks.find((s) => s.id === name);
      if (!found) throw new Error(`sink ${name} vanished after validation`);
      return found;
    });
    const lanes = sinkSpecs.map((s) =>
      createSinkLane(this.sinks.get(s.id) as SerialSink, {
        retry: s.common.retry,
        metrics: this.metrics,
        deadLetter: this.deadLetter,
        logger: ctx.logger,
      }),
    );
    const pipeline = new SourcePipeline({
      source,
      gate,
      diskBuffer: buffer.disk,
      bufferReading: buffer.reading,
      interceptors: spec.interceptors.length > 0 ? [createInterceptorChain(spec.interceptors, ctx, `sources.${spec.id}.interceptors`)] : [],
      parser,
      lanes,
      deadLetter: this.deadLetter,
      metrics: this.metrics,
      logger: ctx.logger,
      batch: {
        maxEvents: Math.min(...sinkSpecs.map((s) => s.common.batchSize)),
        lingerMs: Math.min(...sinkSpecs.map((s) => s.common.batchTimeoutMs)),
      },
    });
    return { spec, pipeline, gate, started: false };
  }

  private async startSink(sink: SerialSink): Promise<void> {
    await sink.start();
    this.startedSinks.add(sink.id);
    this.metrics.sinkStarted(sink.id);
    this.metrics.componentStarted(sink.id, (this.runtime.now ?? Date.now)());
  }

  private startPipeline(r: RunningPipeline): void {
    r.pipeline.start();
    r.started = true;
    this.metrics.componentStarted(r.spec.id, (this.runtime.now ?? Date.now)());
  }

  async start(): Promise<void> {
    for (const sink of this.sinks.values()) await this.startSink(sink);
    // A stop that came while the sinks were starting has already drained the (unstarted) pipelines.
    if (this.stopping) return;
    for (const r of this.pipelines.values()) this.startPipeline(r);
    this.running = true;
    this.updateGauges();
    this.gaugeTimer = setInterval(() => this.updateGauges(), 1000);
    this.gaugeTimer.unref();
    this.runtime.logger.info(
      { agent: this.current.agent.id, sources: [...this.pipelines.keys()], sinks: [...this.sinks.keys()] },
      'agent started',
    );
  }

  private updateGauges(): void {
    for (const [id, r] of this.pipelines) this.metrics.bufferState(id, r.pipeline.bufferReading);
  }

  /** What has started and what reports trouble, for `/readyz`. */
  status(): AgentStatus {
    return {
      stopping: this.stopping !== undefined,
      sources: [...this.pipelines.values()].map((r) => ({ id: r.spec.id, started: r.started })),
      sinks: [...this.sinks.keys()].map((id) => ({
        id,
        started: this.startedSinks.has(id),
        connected: this.metrics.isSinkConnected(id),
      })),
    };
  }

  /**
   * Applies a validated config (`registry` from checkConfig(next)) as `diff` describes it. The
   * caller serializes reloads and has rejected diffs with blockers. Rejects only when the agent
   * has not started or is stopping (nothing changed then).
   */
  applyConfig(next: AgentConfig, registry: SchemaRegistry, diff: ConfigDiff): Promise<AppliedConfig> {
    if (this.stopping) return Promise.reject(new Error('the agent is stopping: reload ignored'));
    if (!this.running) return Promise.reject(new Error('the agent has not started: reload ignored'));
    if (this.applying) return Promise.reject(new Error('a reload is already in progress'));
    const rebuilt = this.restructure(next, registry, diff);
    this.restructuring = rebuilt.catch(() => undefined);
    const done = rebuilt.then((r) => this.startRebuilt(r));
    this.applying = done.catch(() => undefined);
    return done.finally(() => {
      this.applying = undefined;
      this.restructuring = undefined;
    });
  }

  /** Drains what changed, closes replaced sinks, switches to `next` and builds (not starts) the new parts. */
  private async restructure(next: AgentConfig, registry: SchemaRegistry, diff: ConfigDiff): Promise<Rebuilt> {
    const log = this.runtime.logger;
    const limitMs = this.current.agent.drainTimeoutMs;
    const stopIds = [...diff.sources.changed, ...diff.sources.removed].filter((id) => this.pipelines.has(id));
    const old = stopIds.map((id) => this.pipelines.get(id) as RunningPipeline);
    const closeIds = [...diff.sinks.changed, ...diff.sinks.removed].filter((id) => this.sinks.has(id));
    log.info({ stop: stopIds, closeSinks: closeIds, reasons: diff.reasons }, 'reload: draining the pipelines that change');
    const drained = await settlePipelines(
      old.map((r) => r.pipeline),
      limitMs,
      log,
    );
    await closeWithin(
      [
        ...closeIds.map((id) => step('sink close', { sink: id }, () => (this.sinks.get(id) as SerialSink).close())),
        ...old.map((r) => step('source flush', { source: r.spec.id }, () => r.pipeline.flush())),
        ...(diff.deadLetterChanged ? [step('dead-letter close', {}, () => this.deadLetter.close())] : []),
      ],
      limitMs,
      log,
    );
    for (const id of stopIds) this.pipelines.delete(id);
    for (const id of closeIds) {
      this.sinks.delete(id);
      this.startedSinks.delete(id);
    }
    // Their gauges (and a sink's reported connection) go; replacements set their own as they start.
    for (const id of [...stopIds, ...closeIds]) await this.metrics.componentRemoved(id);
    this.current = next;
    this.registry = registry;
    if (diff.deadLetterChanged) this.deadLetter = this.createDeadLetter();
    const failed = { sources: [] as string[], sinks: [] as string[] };
    const newSinks: SerialSink[] = [];
    for (const id of [...diff.sinks.changed, ...diff.sinks.added]) {
      this.needsRestart.sinks.delete(id);
      try {
        newSinks.push(this.buildSink(id));
      } catch (err) {
        log.error({ err, sink: id }, 'reload: sink could not be built');
        failed.sinks.push(id);
      }
    }
    const newPipelines: RunningPipeline[] = [];
    for (const id of [...diff.sources.changed, ...diff.sources.added]) {
      this.needsRestart.sources.delete(id);
      const spec = next.sources.find((s) => s.id === id) as SourceSpec;
      try {
        if (spec.common.sinks.some((s) => !this.sinks.has(s))) throw new Error(`a sink it feeds (${spec.common.sinks.join(', ')}) is down`);
        const r = this.buildPipeline(spec);
        this.pipelines.set(id, r);
        newPipelines.push(r);
      } catch (err) {
        log.error({ err, source: id }, 'reload: pipeline could not be built');
        failed.sources.push(id);
      }
    }
    this.reorderPipelines(next);
    return { stopIds, closeIds, newSinks, newPipelines, failed, drained };
  }

  private async startRebuilt(r: Rebuilt): Promise<AppliedConfig> {
    const log = this.runtime.logger;
    const failed = { sources: [...r.failed.sources], sinks: [...r.failed.sinks] };
    const sinksStarted: string[] = [];
    for (const sink of r.newSinks) {
      try {
        await this.startSink(sink);
        sinksStarted.push(sink.id);
      } catch (err) {
        log.error({ err, sink: sink.id }, 'reload: sink failed to start; the pipelines it feeds stay stopped');
        failed.sinks.push(sink.id);
      }
    }
    const started: string[] = [];
    for (const p of r.newPipelines) {
      if (this.stopping) break;
      const downSink = p.spec.common.sinks.find((s) => !this.startedSinks.has(s));
      if (downSink === undefined) {
        this.startPipeline(p);
        started.push(p.spec.id);
      } else {
        failed.sources.push(p.spec.id);
      }
    }
    for (const id of failed.sources) this.needsRestart.sources.add(id);
    for (const id of failed.sinks) this.needsRestart.sinks.add(id);
    this.updateGauges();
    return { stopped: r.stopIds, started, sinksClosed: r.closeIds, sinksStarted, failed, drained: r.drained };
  }

  /** Keeps pipelines in config order (status and logs list them as the file does). */
  private reorderPipelines(config: AgentConfig): void {
    const entries = config.sources.flatMap((s) => {
      const r = this.pipelines.get(s.id);
      return r ? [[s.id, r] as const] : [];
    });
    this.pipelines.clear();
    for (const [id, r] of entries) this.pipelines.set(id, r);
  }

  /** Drains and closes everything; idempotent. `drained: false` when the deadline cut it short. */
  stop(): Promise<{ drained: boolean }> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<{ drained: boolean }> {
    const log = this.runtime.logger;
    // A reload that is draining and rebuilding finishes that first, so nothing is half-replaced.
    await this.restructuring;
    const limitMs = this.current.agent.drainTimeoutMs;
    log.info('draining: sources stop reading, in-flight events are settled');
    const pipelines = this.pipelineObjects();
    const drained = await settlePipelines(pipelines, limitMs, log);
    await this.finish(limitMs, pipelines);
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    this.updateGauges();
    log.info({ drained }, 'agent stopped');
    return { drained };
  }

  /**
   * After every event is settled (or abandoned): sinks close (files finalized), sources write what
   * the last acks changed (checkpoints, spool renames), the dead-letter sink closes. These do not
   * depend on each other, so they run together, each bounded by one more `limitMs`: a sink whose
   * write never returns cannot keep the checkpoints from being written or the process alive.
   * Failures are logged, never thrown: the caller must get to exit.
   */
  private finish(limitMs: number, pipelines: readonly SourcePipeline[]): Promise<void> {
    return closeWithin(
      [
        ...[...this.sinks.values()].map((sink) => step('sink close', { sink: sink.id }, () => sink.close())),
        ...pipelines.map((p) => step('source flush', { source: p.id }, () => p.flush())),
        step('dead-letter close', {}, () => this.deadLetter.close()),
      ],
      limitMs,
      this.runtime.logger,
    );
  }
}

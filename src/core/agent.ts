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
 * rejects: a shutdown takes at most twice `drainTimeoutMs`.
 *
 * Metrics: every source and sink is registered with the agent's Metrics when built (their series
 * start at 0), buffer gauges are sampled once a second, and `status()` tells readiness probes
 * what has started and which sink reports its destination unreachable.
 */
import { resolve } from 'node:path';
import { FlowGate } from '../buffers/memory.js';
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

export class Agent {
  readonly metrics: Metrics;
  private readonly pipelines: SourcePipeline[] = [];
  private readonly sinks = new Map<string, SerialSink>();
  private readonly gates = new Map<string, FlowGate>();
  private deadLetter!: DeadLetterSink;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private readonly startedSinks = new Set<string>();
  private pipelinesStarted = false;
  private stopping: Promise<{ drained: boolean }> | undefined;

  private constructor(
    readonly config: AgentConfig,
    private readonly runtime: AgentRuntime,
  ) {
    this.metrics = runtime.metrics ?? new Metrics({ enabled: config.metrics?.enabled ?? true });
  }

  /** Builds all components (nothing runs yet). Config problems throw a ConfigError. */
  static async create(config: AgentConfig, runtime: AgentRuntime): Promise<Agent> {
    const agent = new Agent(config, runtime);
    const registry = await checkConfig(config);
    agent.build(registry);
    return agent;
  }

  /** Resolves when every pipeline has finished (sources completed and everything settled). */
  get finished(): Promise<void> {
    return Promise.all(this.pipelines.map((p) => p.done)).then(() => undefined);
  }

  /** Flow gates by source id (tests and metrics read their bounds and peaks). */
  gate(sourceId: string): FlowGate | undefined {
    return this.gates.get(sourceId);
  }

  private context(id: string): ComponentContext {
    return {
      id,
      agentId: this.config.agent.id,
      stateDir: resolve(this.config.agent.stateDir),
      logger: this.runtime.logger.child({ component: id }),
      metrics: this.metrics,
      now: this.runtime.now ?? Date.now,
    };
  }

  private build(registry: SchemaRegistry): void {
    const { config } = this;
    this.deadLetter = createFileDeadLetterSink({ ...config.deadLetter, agentId: config.agent.id }, this.context('dead-letter'));
    for (const spec of config.sinks) {
      this.metrics.registerSink(spec.id);
      this.sinks.set(spec.id, new SerialSink(spec.registration.create(spec.options, this.context(spec.id))));
    }
    for (const spec of config.sources) this.pipelines.push(this.buildPipeline(spec, registry));
  }

  private buildPipeline(spec: SourceSpec, registry: SchemaRegistry): SourcePipeline {
    this.metrics.registerSource(spec.id);
    const ctx = this.context(spec.id);
    const gate = new FlowGate(spec.common.buffer);
    this.gates.set(spec.id, gate);
    const source = spec.registration.create(spec.options, { ...ctx, gate });
    const parser: RecordParser = spec.common.schema
      ? createCsvParser(registry.get(spec.common.schema, spec.common.schemaVersion), {
          delimiter: spec.common.delimiter,
          worker: spec.common.parseWorker,
        })
      : createLineParser();
    const sinkSpecs = spec.common.sinks.map((name) => {
      const found = this.config.sinks.find((s) => s.id === name);
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
    return new SourcePipeline({
      source,
      gate,
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
  }

  async start(): Promise<void> {
    const now = this.runtime.now ?? Date.now;
    for (const sink of this.sinks.values()) {
      await sink.start();
      this.startedSinks.add(sink.id);
      this.metrics.sinkStarted(sink.id);
      this.metrics.componentStarted(sink.id, now());
    }
    // A stop that came while the sinks were starting has already drained the (unstarted) pipelines.
    if (this.stopping) return;
    for (const p of this.pipelines) {
      p.start();
      this.metrics.componentStarted(p.id, now());
    }
    this.pipelinesStarted = true;
    this.updateGauges();
    this.gaugeTimer = setInterval(() => this.updateGauges(), 1000);
    this.gaugeTimer.unref();
    this.runtime.logger.info(
      { agent: this.config.agent.id, sources: this.pipelines.map((p) => p.id), sinks: [...this.sinks.keys()] },
      'agent started',
    );
  }

  private updateGauges(): void {
    for (const [id, gate] of this.gates) this.metrics.bufferState(id, gate);
  }

  /** What has started and what reports trouble, for `/readyz`. */
  status(): AgentStatus {
    return {
      stopping: this.stopping !== undefined,
      sources: this.pipelines.map((p) => ({ id: p.id, started: this.pipelinesStarted })),
      sinks: [...this.sinks.keys()].map((id) => ({
        id,
        started: this.startedSinks.has(id),
        connected: this.metrics.isSinkConnected(id),
      })),
    };
  }

  /** Drains and closes everything; idempotent. `drained: false` when the deadline cut it short. */
  stop(): Promise<{ drained: boolean }> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<{ drained: boolean }> {
    const log = this.runtime.logger;
    const limitMs = this.config.agent.drainTimeoutMs;
    const settleBy = deadline(limitMs);
    try {
      log.info('draining: sources stop reading, in-flight events are settled');
      const stopping = Promise.all(
        this.pipelines.map((p) => p.stop().catch((err) => log.error({ err, source: p.id }, 'source stop failed'))),
      );
      const outcome = await within(
        stopping.then(() => Promise.allSettled(this.pipelines.map((p) => p.done))).then(() => 'drained' as const),
        settleBy.expired,
      );
      if (outcome === 'timeout') {
        log.warn({ drainTimeoutMs: limitMs }, 'drain deadline passed; unsettled events stay unacknowledged');
        for (const p of this.pipelines) p.abort();
      }
      await this.finish(limitMs);
      if (this.gaugeTimer) clearInterval(this.gaugeTimer);
      this.updateGauges();
      log.info({ drained: outcome === 'drained' }, 'agent stopped');
      return { drained: outcome === 'drained' };
    } finally {
      settleBy.cancel();
    }
  }

  /**
   * After every event is settled (or abandoned): sinks close (files finalized), sources write what
   * the last acks changed (checkpoints, spool renames), the dead-letter sink closes. These do not
   * depend on each other, so they run together, each bounded by one more `limitMs`: a sink whose
   * write never returns cannot keep the checkpoints from being written or the process alive.
   * Failures are logged, never thrown: the caller must get to exit.
   */
  private async finish(limitMs: number): Promise<void> {
    const log = this.runtime.logger;
    const closeBy = deadline(limitMs);
    const step = async (what: string, fields: object, work: () => Promise<unknown>): Promise<void> => {
      try {
        if ((await within(work(), closeBy.expired)) === 'timeout') log.error({ ...fields, timeoutMs: limitMs }, `${what} timed out`);
      } catch (err) {
        log.error({ ...fields, err }, `${what} failed`);
      }
    };
    try {
      await Promise.all([
        ...[...this.sinks.values()].map((sink) => step('sink close', { sink: sink.id }, () => sink.close())),
        ...this.pipelines.map((p) => step('source flush', { source: p.id }, () => p.flush())),
        step('dead-letter close', {}, () => this.deadLetter.close()),
      ]);
    } finally {
      closeBy.cancel();
    }
  }
}

/** The longest delay one Node timer holds (2^31 - 1 ms, ~24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer as a promise; `cancel` clears it so it never keeps the process alive. */
function deadline(ms: number): { expired: Promise<'timeout'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.min(ms, MAX_TIMER_MS));
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

function within<T>(work: Promise<T>, expired: Promise<'timeout'>): Promise<T | 'timeout'> {
  return Promise.race([work, expired]);
}

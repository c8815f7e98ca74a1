/**
 * The agent's metrics, behind named helpers so no component calls `counter.inc()` directly.
 *
 * One prom-client Registry per agent (not the global one), so several agents can live in one
 * process (tests) without clashing. The series are defined in catalog.ts; every one carries
 * `component_id` and `component_kind`. Helpers that do not take a kind use the kind the agent
 * registered for the id (`registerSource` / `registerSink`).
 *
 * Counting rules that keep the books balanced (per source S and each sink K it feeds):
 *   received{S} = accepted{S, validator} + Σ rejected{S, reason}   (buffer_full, filtered, invalid, …)
 *   rejected{S, validator} = dead-lettered{S} once the dead-letter writes are durable
 *   accepted{S, validator} = acknowledged{K} + dead-lettered{K} + failed{K}
 * A retried batch is counted under retries, never as dropped or failed.
 *
 * Series exist before anything happened: `registerSource`/`registerSink` set the expected label
 * sets to 0, so every dashboard query and alert has data from the first scrape.
 *
 * Off switch (`metrics.enabled: false`): every helper returns at once (the hot path pays one
 * branch per batch). Sink connection state is still kept, because readiness depends on it.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createReloadSeries, createSeries, type ReloadSeries, type Series } from './catalog.js';

/** How a config reload ended: `unchanged` and `applied` count as success. */
export type ConfigReloadResult = 'applied' | 'unchanged' | 'rejected' | 'failed';

const CONFIG_RELOAD_RESULTS: readonly ConfigReloadResult[] = ['applied', 'unchanged', 'rejected', 'failed'];

export type ComponentKind = 'source' | 'interceptor' | 'validator' | 'buffer' | 'sink' | 'dead_letter' | 'checkpoint';

export interface MetricsOptions {
  /** false: helpers are no-ops (the exposition still answers, with zeros and no process metrics). */
  readonly enabled?: boolean;
}

/** What the buffer gauges read from a flow gate. */
export interface BufferReading {
  readonly inFlightEvents: number;
  readonly inFlightBytes: number;
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly fillRatio: number;
}

/** Rejection reasons every source pipeline can produce (zero-initialised). */
const SOURCE_REJECT_REASONS: ReadonlyArray<readonly [ComponentKind, string]> = [
  ['buffer', 'buffer_full'],
  ['interceptor', 'filtered'],
  ['interceptor', 'interceptor_error'],
  ['validator', 'invalid'],
  ['validator', 'line_too_long'],
];

const LINT_BREAKING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class Metrics {
  readonly registry = new Registry();
  readonly enabled: boolean;
  private readonly s: Series;
  private readonly kinds = new Map<string, ComponentKind>();
  private readonly connectionState = new Map<string, boolean>();
  private processMetrics = false;
  private reloadSeries: ReloadSeries | undefined;

  constructor(opts: MetricsOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.s = createSeries(this.registry);
  }

  private kindOf(id: string, fallback: ComponentKind): ComponentKind {
    return this.kinds.get(id) ?? fallback;
  }

  private l(id: string, kind: ComponentKind): { component_id: string; component_kind: ComponentKind } {
    return { component_id: id, component_kind: kind };
  }

  /** A source pipeline exists: its series start at 0 (spooldir/tail add their own with spoolPending etc.). */
  registerSource(id: string): void {
    this.kinds.set(id, 'source');
    if (!this.enabled) return;
    const s = this.s;
    s.received.inc(this.l(id, 'source'), 0);
    s.bytesRead.inc(this.l(id, 'source'), 0);
    s.accepted.inc(this.l(id, 'interceptor'), 0);
    s.accepted.inc(this.l(id, 'validator'), 0);
    for (const [kind, reason] of SOURCE_REJECT_REASONS) s.rejected.inc({ ...this.l(id, kind), reason }, 0);
    s.deadLettered.inc({ ...this.l(id, 'source'), reason: 'invalid' }, 0);
    s.checkpointWrites.inc({ ...this.l(id, 'source'), result: 'ok' }, 0);
    s.checkpointWrites.inc({ ...this.l(id, 'source'), result: 'error' }, 0);
    s.checkpointCorrupt.inc(this.l(id, 'source'), 0);
    this.bufferState(id, { inFlightEvents: 0, inFlightBytes: 0, maxEvents: 0, maxBytes: 0, fillRatio: 0 });
  }

  /** A sink exists (the series every sink has start at 0). */
  registerSink(id: string): void {
    this.kinds.set(id, 'sink');
    if (!this.enabled) return;
    const s = this.s;
    const l = this.l(id, 'sink');
    for (const result of ['sent', 'acknowledged', 'failed']) {
      s.sinkEvents.inc({ ...l, result }, 0);
      s.sinkBatches.inc({ ...l, result }, 0);
    }
    s.retries.inc({ ...l, error_class: 'transient' }, 0);
    s.deadLettered.inc({ ...l, reason: 'sink_permanent' }, 0);
    s.sendLatency.zero(l);
    s.endToEnd.zero(l);
    s.sinkReconnects.inc(l, 0);
    s.sinkConnectionFailures.inc(l, 0);
  }

  /** A file-writing sink exists: its open/rolled file series start at 0. */
  fileSinkCreated(id: string): void {
    if (!this.enabled) return;
    const l = this.l(id, 'sink');
    this.s.filesOpen.set(l, 0);
    for (const reason of ['size', 'interval', 'idle', 'close']) this.s.filesRolled.inc({ ...l, reason }, 0);
  }

  /** Node process and runtime metrics (CPU, memory, GC, event loop); once per registry. */
  collectProcessMetrics(): void {
    if (!this.enabled || this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total break Prometheus naming rules (promtool check metrics flags them);
    // the same counts stay available, per type, in nodejs_active_handles / _requests / _resources.
    for (const name of LINT_BREAKING_DEFAULTS) this.registry.removeSingleMetric(name);
  }

  /** Config reloading is on: its series start at 0, and the config running at start counts as a success. */
  configReloadsTracked(): void {
    if (!this.enabled || this.reloadSeries) return;
    this.reloadSeries = createReloadSeries(this.registry);
    for (const result of CONFIG_RELOAD_RESULTS) this.reloadSeries.reloads.inc({ result }, 0);
    this.reloadSeries.lastSuccess.set(1);
  }

  configReloaded(result: ConfigReloadResult, atMs: number): void {
    if (!this.enabled) return;
    this.configReloadsTracked();
    const s = this.reloadSeries as ReloadSeries;
    s.reloads.inc({ result });
    s.lastSuccess.set(result === 'applied' || result === 'unchanged' ? 1 : 0);
    s.lastTime.set(atMs / 1000);
  }

  componentStarted(id: string, atMs: number): void {
    if (this.enabled) this.s.startTime.set(this.l(id, this.kindOf(id, 'source')), atMs / 1000);
  }

  eventsReceived(id: string, kind: ComponentKind, n: number, bytes = 0): void {
    if (!this.enabled) return;
    if (n > 0) this.s.received.inc(this.l(id, kind), n);
    if (bytes > 0) this.s.bytesRead.inc(this.l(id, kind), bytes);
  }

  eventsAccepted(id: string, kind: ComponentKind, n: number): void {
    if (this.enabled && n > 0) this.s.accepted.inc(this.l(id, kind), n);
  }

  eventsRejected(id: string, kind: ComponentKind, reason: string, n = 1): void {
    if (this.enabled && n > 0) this.s.rejected.inc({ ...this.l(id, kind), reason }, n);
  }

  /** `id`: the source whose pipeline rejected them, or the sink that refused them (kind: as registered). */
  eventsDeadLettered(id: string, reason: string, n = 1, kind?: ComponentKind): void {
    if (this.enabled && n > 0) this.s.deadLettered.inc({ ...this.l(id, kind ?? this.kindOf(id, 'source')), reason }, n);
  }

  sinkBatchSent(id: string, events: number): void {
    if (!this.enabled) return;
    const l = this.l(id, 'sink');
    this.s.sinkBatches.inc({ ...l, result: 'sent' });
    this.s.sinkEvents.inc({ ...l, result: 'sent' }, events);
  }

  /**
   * A batch is durable in the sink. `oldestEventMs`: the timestamp header of its first event
   * (the oldest), for the end-to-end latency; NaN when the events carry none.
   */
  sinkBatchAcknowledged(id: string, events: number, seconds: number, oldestEventMs = Number.NaN, nowMs = Date.now()): void {
    if (!this.enabled) return;
    const l = this.l(id, 'sink');
    this.s.sinkBatches.inc({ ...l, result: 'acknowledged' });
    this.s.sinkEvents.inc({ ...l, result: 'acknowledged' }, events);
    this.s.sendLatency.observe(l, seconds);
    if (Number.isFinite(oldestEventMs)) this.s.endToEnd.observe(l, Math.max(0, nowMs - oldestEventMs) / 1000);
  }

  sinkBatchFailed(id: string, events: number): void {
    if (!this.enabled) return;
    const l = this.l(id, 'sink');
    this.s.sinkBatches.inc({ ...l, result: 'failed' });
    this.s.sinkEvents.inc({ ...l, result: 'failed' }, events);
  }

  sinkRetry(id: string, errorClass: string): void {
    if (this.enabled) this.s.retries.inc({ ...this.l(id, 'sink'), error_class: errorClass });
  }

  checkpointWritten(id: string, ok: boolean): void {
    if (this.enabled) this.s.checkpointWrites.inc({ ...this.l(id, this.kindOf(id, 'checkpoint')), result: ok ? 'ok' : 'error' });
  }

  checkpointCorruptFound(id: string): void {
    if (this.enabled) this.s.checkpointCorrupt.inc(this.l(id, this.kindOf(id, 'checkpoint')));
  }

  /** Zero-initialises a spooling-directory source's file series. */
  spoolSourceCreated(id: string): void {
    if (!this.enabled) return;
    const l = this.l(id, 'source');
    this.s.spoolPending.set(l, 0);
    for (const outcome of ['completed', 'deleted', 'quarantined']) this.s.spoolFiles.inc({ ...l, outcome }, 0);
  }

  spoolFilesPending(id: string, n: number): void {
    if (this.enabled) this.s.spoolPending.set(this.l(id, 'source'), n);
  }

  spoolFileFinished(id: string, outcome: 'completed' | 'deleted' | 'quarantined'): void {
    if (this.enabled) this.s.spoolFiles.inc({ ...this.l(id, 'source'), outcome });
  }

  /** Bytes of `file` not yet acknowledged (size − checkpointed offset). */
  sourceLag(id: string, file: string, bytes: number): void {
    if (this.enabled) this.s.sourceLag.set({ ...this.l(id, 'source'), file }, Math.max(0, bytes));
  }

  /** The file is finished (or no longer followed): its lag series goes away. */
  sourceLagDone(id: string, file: string): void {
    if (this.enabled) this.s.sourceLag.remove({ ...this.l(id, 'source'), file });
  }

  fileRolled(id: string, reason: string): void {
    if (this.enabled) this.s.filesRolled.inc({ ...this.l(id, 'sink'), reason });
  }

  /** Zero-initialises a tail source's rotation series (the kinds the follower reports). */
  tailSourceCreated(id: string): void {
    if (!this.enabled) return;
    for (const kind of ['rename', 'delete', 'copytruncate', 'truncate', 'while_stopped', 'unseen']) {
      this.s.rotations.inc({ ...this.l(id, 'source'), kind }, 0);
    }
  }

  tailRotation(id: string, kind: string): void {
    if (this.enabled) this.s.rotations.inc({ ...this.l(id, 'source'), kind });
  }

  /** A sink reports its connection state; a down → up transition counts as a reconnect. */
  sinkConnection(id: string, connected: boolean): void {
    const was = this.connectionState.get(id);
    this.connectionState.set(id, connected);
    if (!this.enabled) return;
    const l = this.l(id, 'sink');
    this.s.sinkConnected.set(l, connected ? 1 : 0);
    if (connected && was === false) this.s.sinkReconnects.inc(l);
    if (!connected && was !== false) this.s.sinkConnectionFailures.inc(l);
  }

  /**
   * A source or sink is gone (a config reload removed or replaced it): its gauges leave the
   * exposition, because a frozen last value (buffer full, sink down, lag) would keep alerts firing
   * for something that no longer runs, and its reported connection state is forgotten, so a
   * replacement starts fresh (readiness). Counters stay: they are totals, and an id that comes
   * back carries on from them.
   */
  async componentRemoved(id: string): Promise<void> {
    this.connectionState.delete(id);
    if (!this.enabled) return;
    const s = this.s;
    const gauges = [
      s.sourceLag,
      s.spoolPending,
      s.bufferEvents,
      s.bufferBytes,
      s.bufferCapacity,
      s.bufferCapacityBytes,
      s.bufferFill,
      s.sinkConnected,
      s.filesOpen,
      s.startTime,
    ];
    for (const gauge of gauges) {
      for (const { labels } of (await gauge.get()).values) {
        if (labels.component_id === id) (gauge as { remove(l: typeof labels): void }).remove(labels);
      }
    }
  }

  /** Whether the sink last reported being connected; undefined before its first report. */
  isSinkConnected(id: string): boolean | undefined {
    return this.connectionState.get(id);
  }

  /** The sink's start succeeded: one that never reports its connection is taken as connected. */
  sinkStarted(id: string): void {
    if (this.enabled && !this.connectionState.has(id)) this.s.sinkConnected.set(this.l(id, 'sink'), 1);
  }

  filesOpen(id: string, n: number): void {
    if (this.enabled) this.s.filesOpen.set(this.l(id, 'sink'), n);
  }

  /** The bounded buffer of source `id` (its flow gate). */
  bufferState(id: string, gate: BufferReading): void {
    if (!this.enabled) return;
    const l = this.l(id, 'buffer');
    this.s.bufferEvents.set(l, gate.inFlightEvents);
    this.s.bufferBytes.set(l, gate.inFlightBytes);
    this.s.bufferCapacity.set(l, gate.maxEvents);
    this.s.bufferCapacityBytes.set(l, gate.maxBytes);
    this.s.bufferFill.set(l, gate.fillRatio);
  }

  /** A source has a disk buffer: its torn-record and write-error series start at 0. */
  diskBufferCreated(id: string): void {
    if (!this.enabled) return;
    const l = this.l(id, 'buffer');
    this.s.bufferTorn.inc(l, 0);
    this.s.bufferWriteErrors.inc({ ...l, code: 'ENOSPC' }, 0);
  }

  /** Torn or corrupt disk-buffer frames found (recovery cut them, or a read skipped them). */
  bufferTornRecords(id: string, n = 1): void {
    if (this.enabled && n > 0) this.s.bufferTorn.inc(this.l(id, 'buffer'), n);
  }

  /** A disk-buffer write failed with errno `code` and is being retried (the source waits). */
  bufferWriteError(id: string, code: string): void {
    if (this.enabled) this.s.bufferWriteErrors.inc({ ...this.l(id, 'buffer'), code });
  }

  /** Sum of the samples of one series whose labels match, for summaries and tests. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return 0;
    const data = await metric.get();
    let sum = 0;
    for (const v of data.values) {
      // Histograms list _bucket/_sum/_count samples under the one metric: only plain samples count.
      const sampleName = (v as { metricName?: string }).metricName;
      if (sampleName !== undefined && sampleName !== name) continue;
      if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
    return sum;
  }
}

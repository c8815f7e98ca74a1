/**
 * The agent's metrics, behind named helpers so no component calls `counter.inc()` directly.
 *
 * One prom-client Registry per agent (not the global one), so several agents can live in one
 * process (tests) without clashing. Names follow Prometheus conventions: `rxflume_…_total`
 * for counters, base units (bytes, seconds).
 *
 * Counting rules that keep the books balanced:
 *   received = accepted + rejected(reason)           (rejected: filtered, dropped, invalid)
 *   accepted = acknowledged + dead-lettered + failed  (per sink)
 * A retried batch is counted under retries, never as dropped or failed.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ComponentKind = 'source' | 'interceptor' | 'validator' | 'buffer' | 'sink' | 'dead_letter' | 'checkpoint';

export class Metrics {
  readonly registry = new Registry();
  private readonly connectionState = new Map<string, boolean>();

  private readonly received = this.counter('rxflume_events_received_total', 'Events read by a source.', ['component_id', 'component_kind']);
  private readonly accepted = this.counter('rxflume_events_accepted_total', 'Events a component passed on.', [
    'component_id',
    'component_kind',
  ]);
  private readonly rejected = this.counter('rxflume_events_rejected_total', 'Events a component did not pass on, by reason.', [
    'component_id',
    'component_kind',
    'reason',
  ]);
  private readonly bytesRead = this.counter('rxflume_source_bytes_read_total', 'Bytes read by a source.', ['component_id']);
  private readonly deadLettered = this.counter('rxflume_dead_lettered_total', 'Events written to the dead-letter sink, by reason.', [
    'component_id',
    'reason',
  ]);
  private readonly sinkEvents = this.counter(
    'rxflume_sink_events_total',
    'Events handled by a sink, by result (sent, acknowledged, failed).',
    ['component_id', 'result'],
  );
  private readonly sinkBatches = this.counter('rxflume_sink_batches_total', 'Batches handled by a sink, by result.', [
    'component_id',
    'result',
  ]);
  private readonly retries = this.counter('rxflume_sink_retries_total', 'Batch send retries, by error class.', [
    'component_id',
    'error_class',
  ]);
  private readonly sendLatency = new Histogram({
    name: 'rxflume_sink_send_duration_seconds',
    help: 'Time for a sink to make a batch durable.',
    labelNames: ['component_id'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly checkpointWrites = this.counter('rxflume_checkpoint_writes_total', 'Checkpoint files written, by result.', [
    'component_id',
    'result',
  ]);
  private readonly checkpointCorrupt = this.counter(
    'rxflume_checkpoint_corrupt_total',
    'Checkpoint files found empty or corrupt and set aside.',
    ['component_id'],
  );
  private readonly spoolFiles = this.counter(
    'rxflume_spool_files_total',
    'Spool files finished, by outcome (completed, deleted, quarantined).',
    ['component_id', 'outcome'],
  );
  private readonly filesRolled = this.counter(
    'rxflume_sink_files_rolled_total',
    'Files closed and renamed to their final name, by reason.',
    ['component_id', 'reason'],
  );
  private readonly bufferEvents = this.gauge('rxflume_buffer_events', 'Events read but not yet settled.', ['component_id']);
  private readonly bufferBytes = this.gauge('rxflume_buffer_bytes', 'Body bytes read but not yet settled.', ['component_id']);
  private readonly bufferCapacity = this.gauge('rxflume_buffer_capacity_events', 'Bound on events in flight.', ['component_id']);
  private readonly rotations = this.counter('rxflume_tail_rotations_total', 'File rotations seen by a tail source, by kind.', [
    'component_id',
    'kind',
  ]);

  private readonly sinkConnected = this.gauge(
    'rxflume_sink_connected',
    'Whether a sink can reach its destination (1) or not (0), as last seen by the sink.',
    ['component_id'],
  );
  private readonly sinkReconnects = this.counter('rxflume_sink_reconnects_total', 'Times a sink regained its connection after losing it.', [
    'component_id',
  ]);
  private readonly sinkFilesOpen = this.gauge('rxflume_sink_files_open', 'Files a sink holds open (in use).', ['component_id']);

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  eventsReceived(id: string, kind: ComponentKind, n: number, bytes = 0): void {
    if (n > 0) this.received.inc({ component_id: id, component_kind: kind }, n);
    if (bytes > 0) this.bytesRead.inc({ component_id: id }, bytes);
  }

  eventsAccepted(id: string, kind: ComponentKind, n: number): void {
    if (n > 0) this.accepted.inc({ component_id: id, component_kind: kind }, n);
  }

  eventsRejected(id: string, kind: ComponentKind, reason: string, n = 1): void {
    if (n > 0) this.rejected.inc({ component_id: id, component_kind: kind, reason }, n);
  }

  eventsDeadLettered(id: string, reason: string, n = 1): void {
    if (n > 0) this.deadLettered.inc({ component_id: id, reason }, n);
  }

  sinkBatchSent(id: string, events: number): void {
    this.sinkBatches.inc({ component_id: id, result: 'sent' });
    this.sinkEvents.inc({ component_id: id, result: 'sent' }, events);
  }

  sinkBatchAcknowledged(id: string, events: number, seconds: number): void {
    this.sinkBatches.inc({ component_id: id, result: 'acknowledged' });
    this.sinkEvents.inc({ component_id: id, result: 'acknowledged' }, events);
    this.sendLatency.observe({ component_id: id }, seconds);
  }

  sinkBatchFailed(id: string, events: number): void {
    this.sinkBatches.inc({ component_id: id, result: 'failed' });
    this.sinkEvents.inc({ component_id: id, result: 'failed' }, events);
  }

  sinkRetry(id: string, errorClass: string): void {
    this.retries.inc({ component_id: id, error_class: errorClass });
  }

  checkpointWritten(id: string, ok: boolean): void {
    this.checkpointWrites.inc({ component_id: id, result: ok ? 'ok' : 'error' });
  }

  checkpointCorruptFound(id: string): void {
    this.checkpointCorrupt.inc({ component_id: id });
  }

  spoolFileFinished(id: string, outcome: 'completed' | 'deleted' | 'quarantined'): void {
    this.spoolFiles.inc({ component_id: id, outcome });
  }

  fileRolled(id: string, reason: string): void {
    this.filesRolled.inc({ component_id: id, reason });
  }

  tailRotation(id: string, kind: string): void {
    this.rotations.inc({ component_id: id, kind });
  }

  /** A sink reports its connection state; a down → up transition counts as a reconnect. */
  sinkConnection(id: string, connected: boolean): void {
    const was = this.connectionState.get(id);
    this.connectionState.set(id, connected);
    this.sinkConnected.set({ component_id: id }, connected ? 1 : 0);
    if (connected && was === false) this.sinkReconnects.inc({ component_id: id });
  }

  /** Whether the sink last reported being connected; undefined before its first report. */
  isSinkConnected(id: string): boolean | undefined {
    return this.connectionState.get(id);
  }

  filesOpen(id: string, n: number): void {
    this.sinkFilesOpen.set({ component_id: id }, n);
  }

  bufferState(id: string, events: number, bytes: number, capacityEvents: number): void {
    this.bufferEvents.set({ component_id: id }, events);
    this.bufferBytes.set({ component_id: id }, bytes);
    this.bufferCapacity.set({ component_id: id }, capacityEvents);
  }

  /** Current value of one counter series, for summaries and tests. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return 0;
    const data = await metric.get();
    let sum = 0;
    for (const v of data.values) {
      if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
    return sum;
  }
}

/**
 * Every series the agent exposes: names, help texts, label names, buckets. Only the Metrics
 * helpers (metrics.ts) touch these objects.
 *
 * Conventions: `rxflume_…_total` for counters, base units (bytes, seconds), a ratio in 0..1.
 * Every component series carries `component_id` (the id in the config) and `component_kind`
 * (source, interceptor, validator, buffer, sink, dead_letter, checkpoint), so one PromQL filter
 * selects a component and a dashboard can group by kind. Label values are low-cardinality
 * (reasons, results, outcomes); the only open-ended one is `file` on the lag gauge, whose series
 * is removed when its file is finished.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const C = ['component_id', 'component_kind'] as const;

/** Send latency: a local fsync takes milliseconds, a remote write under retry seconds. */
const SEND_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Ingest → acknowledged: batching and linger add up to seconds; an outage adds minutes. */
const END_TO_END_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export function createSeries(registry: Registry) {
  const registers = [registry];
  const counter = (name: string, help: string, extra: readonly string[] = []) =>
    new Counter({ name, help, labelNames: [...C, ...extra], registers });
  const gauge = (name: string, help: string, extra: readonly string[] = []) =>
    new Gauge({ name, help, labelNames: [...C, ...extra], registers });
  const histogram = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name, help, labelNames: [...C], buckets, registers });

  return {
    received: counter('rxflume_events_received_total', 'Events read by a source.'),
    accepted: counter('rxflume_events_accepted_total', 'Events a stage passed on (interceptor chain, validator).'),
    rejected: counter('rxflume_events_rejected_total', 'Events a stage did not pass on, by reason.', ['reason']),
    bytesRead: counter('rxflume_source_bytes_read_total', 'Body bytes of the events read by a source.'),
    sourceLag: gauge('rxflume_source_lag_bytes', 'Bytes of a file not yet acknowledged: file size minus checkpointed offset.', ['file']),
    spoolPending: gauge('rxflume_spool_files_pending', 'Files waiting in a spooling directory (ready, not yet being read).'),
    spoolFiles: counter('rxflume_spool_files_total', 'Spool files finished, by outcome (completed, deleted, quarantined).', ['outcome']),
    rotations: counter('rxflume_tail_rotations_total', 'File rotations seen by a tail source, by kind.', ['kind']),
    deadLettered: counter('rxflume_dead_lettered_total', 'Events written to the dead-letter sink, by reason.', ['reason']),
    bufferEvents: gauge('rxflume_buffer_events', 'Events read but not yet settled (in the bounded buffer).'),
    bufferBytes: gauge('rxflume_buffer_bytes', 'Body bytes read but not yet settled.'),
    bufferCapacity: gauge('rxflume_buffer_capacity_events', 'Bound on events in flight.'),
    bufferCapacityBytes: gauge('rxflume_buffer_capacity_bytes', 'Bound on body bytes in flight.'),
    bufferFill: gauge('rxflume_buffer_fill_ratio', 'Fraction of the tighter buffer bound in use (0..1).'),
    bufferTorn: counter(
      'rxflume_buffer_torn_records_total',
      'Disk buffer frames found torn or corrupt (cut at recovery or skipped on read).',
    ),
    bufferWriteErrors: counter(
      'rxflume_buffer_write_errors_total',
      'Disk buffer writes, fsyncs or segment creations that failed and are being retried, by errno code.',
      ['code'],
    ),
    sinkEvents: counter('rxflume_sink_events_total', 'Events handled by a sink, by result (sent, acknowledged, failed).', ['result']),
    sinkBatches: counter('rxflume_sink_batches_total', 'Batches handled by a sink, by result (sent, acknowledged, failed).', ['result']),
    retries: counter('rxflume_sink_retries_total', 'Batch write retries, by error class.', ['error_class']),
    sendLatency: histogram(
      'rxflume_sink_send_duration_seconds',
      'Time for a sink to make a batch durable (retries included).',
      SEND_BUCKETS,
    ),
    endToEnd: histogram(
      'rxflume_end_to_end_latency_seconds',
      'Event timestamp header to acknowledgement by the sink, for the oldest event of each batch.',
      END_TO_END_BUCKETS,
    ),
    sinkConnected: gauge('rxflume_sink_connected', 'Whether a sink can reach its destination (1) or not (0).'),
    sinkReconnects: counter('rxflume_sink_reconnects_total', 'Times a sink regained its connection after losing it.'),
    sinkConnectionFailures: counter('rxflume_sink_connection_failures_total', 'Times a sink lost (or could not make) its connection.'),
    filesOpen: gauge('rxflume_sink_files_open', 'Files a sink holds open (in use).'),
    filesRolled: counter('rxflume_sink_files_rolled_total', 'Files closed and renamed to their final name, by reason.', ['reason']),
    checkpointWrites: counter('rxflume_checkpoint_writes_total', 'Checkpoint files written, by result (ok, error).', ['result']),
    checkpointCorrupt: counter('rxflume_checkpoint_corrupt_total', 'Checkpoint files found empty or corrupt and set aside.'),
    startTime: gauge('rxflume_component_start_time_seconds', 'When a component started (Unix time).'),
  };
}

export type Series = ReturnType<typeof createSeries>;

/**
 * Config reload series (`rxflume run` with SIGHUP / --watch-config). Agent-wide, so no component
 * labels. Registered only when reloading is set up, so agents that never reload expose nothing
 * new.
 */
export function createReloadSeries(registry: Registry) {
  const registers = [registry];
  return {
    reloads: new Counter({
      name: 'rxflume_config_reloads_total',
      help: 'Config reloads, by result (applied, unchanged, rejected, failed).',
      labelNames: ['result'],
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'rxflume_config_last_reload_success',
      help: 'Whether the last config reload was applied (or found nothing to change): 1, or rejected/failed: 0.',
      registers,
    }),
    lastTime: new Gauge({
      name: 'rxflume_config_last_reload_timestamp_seconds',
      help: 'When the last config reload finished (Unix time); 0 before the first.',
      registers,
    }),
  };
}

export type ReloadSeries = ReturnType<typeof createReloadSeries>;

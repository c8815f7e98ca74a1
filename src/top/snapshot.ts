/**
 * One reading of an agent, per source and per sink, from its metric samples (see
 * src/metrics/catalog.ts for the series), and the rates between two readings. Used by `top` and
 * the demo's live view and summary.
 *
 * Per source: in = events read (rxflume_events_received_total, kind source); filtered = dropped
 * by its interceptors; dead-lettered = written to the dead-letter file by its validator (and by
 * its sinks, counted on the sink); released = read as the agent stopped and never sent (read
 * again after a restart); buffer fill from the rxflume_buffer_* gauges. Per sink:
 * delivered = acknowledged events (for Kafka: acks from the brokers), failed, files rolled (file
 * sinks only, else undefined), connected (remote sinks only, else undefined).
 */
import { type Sample, SampleIndex } from '../metrics/samples.js';

export interface SourceReading {
  readonly id: string;
  readonly received: number;
  readonly filtered: number;
  readonly deadLettered: number;
  /** Refused by a full buffer (whenFull: drop_newest). */
  readonly dropped: number;
  /** Read while the agent stopped and released unsent: not checkpointed, read again on restart. */
  readonly released: number;
  readonly bufferEvents: number;
  readonly bufferCapacity: number;
  readonly bufferFill: number;
  readonly lagBytes: number;
}

export interface SinkReading {
  readonly id: string;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly filesRolled: number | undefined;
  readonly connected: boolean | undefined;
}

export interface AgentReading {
  readonly atMs: number;
  readonly sources: readonly SourceReading[];
  readonly sinks: readonly SinkReading[];
}

export interface Rates {
  /** Events per second read, by source id. */
  readonly in: ReadonlyMap<string, number>;
  /** Events per second delivered, by sink id. */
  readonly out: ReadonlyMap<string, number>;
}

export function readingOf(samples: readonly Sample[], atMs = Date.now()): AgentReading {
  const ix = new SampleIndex(samples);
  const sources = ix.ids('rxflume_events_received_total', 'source').map((id): SourceReading => {
    const buffer = { component_id: id, component_kind: 'buffer' };
    return {
      id,
      received: ix.sum('rxflume_events_received_total', { component_id: id, component_kind: 'source' }),
      filtered: ix.sum('rxflume_events_rejected_total', { component_id: id, component_kind: 'interceptor' }),
      deadLettered: ix.sum('rxflume_dead_lettered_total', { component_id: id, component_kind: 'source' }),
      dropped: ix.sum('rxflume_events_rejected_total', { component_id: id, reason: 'buffer_full' }),
      released: ix.sum('rxflume_events_rejected_total', { component_id: id, component_kind: 'source', reason: 'stopped' }),
      bufferEvents: ix.sum('rxflume_buffer_events', buffer),
      bufferCapacity: ix.sum('rxflume_buffer_capacity_events', buffer),
      bufferFill: ix.sum('rxflume_buffer_fill_ratio', buffer),
      lagBytes: ix.sum('rxflume_source_lag_bytes', { component_id: id }),
    };
  });
  const sinks = ix.ids('rxflume_sink_events_total', 'sink').map((id): SinkReading => {
    const l = { component_id: id, component_kind: 'sink' };
    return {
      id,
      sent: ix.sum('rxflume_sink_events_total', { ...l, result: 'sent' }),
      delivered: ix.sum('rxflume_sink_events_total', { ...l, result: 'acknowledged' }),
      failed: ix.sum('rxflume_sink_events_total', { ...l, result: 'failed' }),
      deadLettered: ix.sum('rxflume_dead_lettered_total', l),
      filesRolled: ix.has('rxflume_sink_files_rolled_total', l) ? ix.sum('rxflume_sink_files_rolled_total', l) : undefined,
      connected: ix.has('rxflume_sink_connected', l) ? ix.sum('rxflume_sink_connected', l) > 0 : undefined,
    };
  });
  return { atMs, sources, sinks };
}

/** Per-second rates between two readings (empty before the second reading). */
export function ratesBetween(prev: AgentReading | undefined, cur: AgentReading): Rates {
  const inRates = new Map<string, number>();
  const outRates = new Map<string, number>();
  const seconds = prev ? (cur.atMs - prev.atMs) / 1000 : 0;
  if (prev && seconds > 0) {
    for (const s of cur.sources) {
      const before = prev.sources.find((p) => p.id === s.id);
      if (before) inRates.set(s.id, Math.max(0, (s.received - before.received) / seconds));
    }
    for (const s of cur.sinks) {
      const before = prev.sinks.find((p) => p.id === s.id);
      if (before) outRates.set(s.id, Math.max(0, (s.delivered - before.delivered) / seconds));
    }
  }
  return { in: inRates, out: outRates };
}

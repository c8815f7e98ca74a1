/**
 * The Flume-style JSON view (`/metrics.json`), for users migrating from Flume's JSON reporter
 * (`-Dflume.monitoring.type=http`): one object per component named `SOURCE.<id>`,
 * `CHANNEL.<id>` and `SINK.<id>`, with Flume's counter names and every value a string, as Flume
 * prints them. It is derived from the Prometheus series (one set of books), read at request time.
 *
 * Mapping (a source's bounded buffer plays Flume's channel, so the channel has the source's id):
 *   SOURCE  EventReceivedCount = rxflume_events_received_total{kind=source}
 *           EventAcceptedCount = received − buffer_full: what the buffer took. Flume's sources
 *             count a batch as accepted once the channel processor took it, before the
 *             interceptors ran, so filtered (and here also dead-lettered) events are accepted and
 *             Received − Accepted is what the channel refused, as Flume users read it.
 *           ChannelWriteFail   = rejected{reason=buffer_full}
 *   CHANNEL ChannelSize / ChannelCapacity / ChannelFillPercentage = rxflume_buffer_* (fill × 100)
 *           EventPutAttemptCount = received; EventPutSuccessCount = received − buffer_full
 *   SINK    EventDrainAttemptCount / EventDrainSuccessCount = rxflume_sink_events_total{sent|acknowledged}
 *           BatchCompleteCount = batches acknowledged; EventWriteFail = events failed;
 *           ConnectionFailedCount = rxflume_sink_connection_failures_total;
 *           ConnectionCreatedCount = rxflume_sink_reconnects_total (re-established connections)
 * StartTime is in epoch millis (0 before the component started); StopTime is always 0 (running).
 */
import type { Metrics } from './metrics.js';

export type FlumeView = Record<string, Record<string, string>>;

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

export async function flumeView(metrics: Metrics): Promise<FlumeView> {
  const byName = new Map<string, Sample[]>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    byName.set(metric.name, (metric.values ?? []) as Sample[]);
  }
  const sum = (name: string, match: Record<string, string>): number => {
    let total = 0;
    for (const v of byName.get(name) ?? []) {
      if (Object.entries(match).every(([k, want]) => String(v.labels[k]) === want)) total += v.value;
    }
    return total;
  };
  const idsOf = (name: string, kind: string): string[] => {
    const ids = new Set<string>();
    for (const v of byName.get(name) ?? []) if (v.labels.component_kind === kind) ids.add(String(v.labels.component_id));
    return [...ids].sort();
  };
  const str = (n: number): string => String(Math.round(n));
  const startTime = (id: string): string => str(sum('rxflume_component_start_time_seconds', { component_id: id }) * 1000);

  const view: FlumeView = {};
  for (const id of idsOf('rxflume_events_received_total', 'source')) {
    const received = sum('rxflume_events_received_total', { component_id: id, component_kind: 'source' });
    const bufferFull = sum('rxflume_events_rejected_total', { component_id: id, reason: 'buffer_full' });
    view[`SOURCE.${id}`] = {
      Type: 'SOURCE',
      EventReceivedCount: str(received),
      EventAcceptedCount: str(received - bufferFull),
      ChannelWriteFail: str(bufferFull),
      StartTime: startTime(id),
      StopTime: '0',
    };
    const buffer = { component_id: id, component_kind: 'buffer' };
    view[`CHANNEL.${id}`] = {
      Type: 'CHANNEL',
      ChannelSize: str(sum('rxflume_buffer_events', buffer)),
      ChannelCapacity: str(sum('rxflume_buffer_capacity_events', buffer)),
      ChannelFillPercentage: String(sum('rxflume_buffer_fill_ratio', buffer) * 100),
      EventPutAttemptCount: str(received),
      EventPutSuccessCount: str(received - bufferFull),
      StartTime: startTime(id),
      StopTime: '0',
    };
  }
  for (const id of idsOf('rxflume_sink_events_total', 'sink')) {
    const sink = { component_id: id, component_kind: 'sink' };
    view[`SINK.${id}`] = {
      Type: 'SINK',
      EventDrainAttemptCount: str(sum('rxflume_sink_events_total', { ...sink, result: 'sent' })),
      EventDrainSuccessCount: str(sum('rxflume_sink_events_total', { ...sink, result: 'acknowledged' })),
      BatchCompleteCount: str(sum('rxflume_sink_batches_total', { ...sink, result: 'acknowledged' })),
      EventWriteFail: str(sum('rxflume_sink_events_total', { ...sink, result: 'failed' })),
      ConnectionFailedCount: str(sum('rxflume_sink_connection_failures_total', sink)),
      ConnectionCreatedCount: str(sum('rxflume_sink_reconnects_total', sink)),
      StartTime: startTime(id),
      StopTime: '0',
    };
  }
  return view;
}

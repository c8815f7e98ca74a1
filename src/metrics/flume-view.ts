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
import { SampleIndex, samplesFromRegistryJson } from './samples.js';

export type FlumeView = Record<string, Record<string, string>>;

export async function flumeView(metrics: Metrics): Promise<FlumeView> {
  const ix = new SampleIndex(samplesFromRegistryJson(await metrics.registry.getMetricsAsJSON()));
  const str = (n: number): string => String(Math.round(n));
  const startTime = (id: string): string => str(ix.sum('rxflume_component_start_time_seconds', { component_id: id }) * 1000);

  const view: FlumeView = {};
  for (const id of ix.ids('rxflume_events_received_total', 'source')) {
    const received = ix.sum('rxflume_events_received_total', { component_id: id, component_kind: 'source' });
    const bufferFull = ix.sum('rxflume_events_rejected_total', { component_id: id, reason: 'buffer_full' });
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
      ChannelSize: str(ix.sum('rxflume_buffer_events', buffer)),
      ChannelCapacity: str(ix.sum('rxflume_buffer_capacity_events', buffer)),
      ChannelFillPercentage: String(ix.sum('rxflume_buffer_fill_ratio', buffer) * 100),
      EventPutAttemptCount: str(received),
      EventPutSuccessCount: str(received - bufferFull),
      StartTime: startTime(id),
      StopTime: '0',
    };
  }
  for (const id of ix.ids('rxflume_sink_events_total', 'sink')) {
    const sink = { component_id: id, component_kind: 'sink' };
    view[`SINK.${id}`] = {
      Type: 'SINK',
      EventDrainAttemptCount: str(ix.sum('rxflume_sink_events_total', { ...sink, result: 'sent' })),
      EventDrainSuccessCount: str(ix.sum('rxflume_sink_events_total', { ...sink, result: 'acknowledged' })),
      BatchCompleteCount: str(ix.sum('rxflume_sink_batches_total', { ...sink, result: 'acknowledged' })),
      EventWriteFail: str(ix.sum('rxflume_sink_events_total', { ...sink, result: 'failed' })),
      ConnectionFailedCount: str(ix.sum('rxflume_sink_connection_failures_total', sink)),
      ConnectionCreatedCount: str(ix.sum('rxflume_sink_reconnects_total', sink)),
      StartTime: startTime(id),
      StopTime: '0',
    };
  }
  return view;
}

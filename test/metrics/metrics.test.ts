/**
 * The Metrics helpers: every series carries component_id and component_kind, registered
 * components have their series from the start (at 0), the off switch makes helpers no-ops but
 * keeps connection state, and the exposition passes `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is missing (apt-get install prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('Metrics', () => {
  it('gives registered sources and sinks every expected series at 0, labelled with id and kind', async () => {
    const m = new Metrics();
    m.registerSource('status');
    m.registerSink('hdfs');
    m.fileSinkCreated('hdfs');
    m.spoolSourceCreated('status');
    m.tailSourceCreated('driving');
    const text = await m.registry.metrics();
    for (const line of [
      'rxflume_events_received_total{component_id="status",component_kind="source"} 0',
      'rxflume_events_accepted_total{component_id="status",component_kind="validator"} 0',
      'rxflume_events_rejected_total{component_id="status",component_kind="interceptor",reason="filtered"} 0',
      'rxflume_events_rejected_total{component_id="status",component_kind="buffer",reason="buffer_full"} 0',
      'rxflume_dead_lettered_total{component_id="status",component_kind="source",reason="invalid"} 0',
      'rxflume_buffer_fill_ratio{component_id="status",component_kind="buffer"} 0',
      'rxflume_spool_files_pending{component_id="status",component_kind="source"} 0',
      'rxflume_spool_files_total{component_id="status",component_kind="source",outcome="quarantined"} 0',
      'rxflume_tail_rotations_total{component_id="driving",component_kind="source",kind="copytruncate"} 0',
      'rxflume_tail_rotations_total{component_id="driving",component_kind="source",kind="unseen"} 0',
      'rxflume_sink_events_total{component_id="hdfs",component_kind="sink",result="acknowledged"} 0',
      'rxflume_sink_reconnects_total{component_id="hdfs",component_kind="sink"} 0',
      'rxflume_dead_lettered_total{component_id="hdfs",component_kind="sink",reason="sink_permanent"} 0',
      'rxflume_sink_files_open{component_id="hdfs",component_kind="sink"} 0',
      'rxflume_sink_files_rolled_total{component_id="hdfs",component_kind="sink",reason="size"} 0',
      'rxflume_sink_send_duration_seconds_count{component_id="hdfs",component_kind="sink"} 0',
      'rxflume_end_to_end_latency_seconds_count{component_id="hdfs",component_kind="sink"} 0',
    ]) {
      expect(text).toContain(line);
    }
    // Every sample of every rxflume series names its component and kind.
    for (const line of text.split('\n').filter((l) => l.startsWith('rxflume_'))) {
      expect(line).toMatch(/component_id="[^"]+".*component_kind="[^"]+"|component_kind="[^"]+".*component_id="[^"]+"/);
    }
  });

  it('counts with the registered kind, observes both latencies, and tracks lag per file', async () => {
    const m = new Metrics();
    m.registerSource('status');
    m.registerSink('hdfs');
    m.eventsReceived('status', 'source', 10, 400);
    m.eventsRejected('status', 'interceptor', 'filtered', 2);
    m.eventsDeadLettered('status', 'invalid', 1);
    m.checkpointWritten('status', true);
    m.checkpointWritten('hdfs', false);
    m.sinkBatchSent('hdfs', 7);
    m.sinkBatchAcknowledged('hdfs', 7, 0.02, 1_000, 3_500);
    m.sinkBatchAcknowledged('hdfs', 0, 0.01); // no timestamp header: no end-to-end observation
    m.sourceLag('status', '/spool/a.txt', 1234);
    m.sourceLag('status', '/spool/b.txt', -5); // a file that grew past its size as last seen: never negative

    expect(await m.value('rxflume_events_received_total', { component_id: 'status' })).toBe(10);
    expect(await m.value('rxflume_source_bytes_read_total', { component_kind: 'source' })).toBe(400);
    expect(await m.value('rxflume_dead_lettered_total', { component_id: 'status', component_kind: 'source' })).toBe(1);
    expect(await m.value('rxflume_checkpoint_writes_total', { component_kind: 'sink', result: 'error' })).toBe(1);
    expect(await m.value('rxflume_checkpoint_writes_total', { component_kind: 'source', result: 'ok' })).toBe(1);
    const text = await m.registry.metrics();
    expect(text).toContain('rxflume_end_to_end_latency_seconds_sum{component_id="hdfs",component_kind="sink"} 2.5');
    expect(text).toContain('rxflume_end_to_end_latency_seconds_count{component_id="hdfs",component_kind="sink"} 1');
    expect(text).toContain('rxflume_sink_send_duration_seconds_count{component_id="hdfs",component_kind="sink"} 2');
    expect(await m.value('rxflume_source_lag_bytes', { file: '/spool/a.txt' })).toBe(1234);
    expect(await m.value('rxflume_source_lag_bytes', { file: '/spool/b.txt' })).toBe(0);
    m.sourceLagDone('status', '/spool/a.txt');
    expect(await m.registry.metrics()).not.toContain('/spool/a.txt');
  });

  it('counts connection failures and reconnects from state transitions', async () => {
    const m = new Metrics();
    m.registerSink('kafka');
    expect(m.isSinkConnected('kafka')).toBeUndefined();
    m.sinkConnection('kafka', true);
    m.sinkConnection('kafka', true);
    m.sinkConnection('kafka', false);
    m.sinkConnection('kafka', false);
    expect(m.isSinkConnected('kafka')).toBe(false);
    expect(await m.value('rxflume_sink_connected', { component_id: 'kafka' })).toBe(0);
    m.sinkConnection('kafka', true);
    expect(await m.value('rxflume_sink_reconnects_total', { component_id: 'kafka' })).toBe(1);
    expect(await m.value('rxflume_sink_connection_failures_total', { component_id: 'kafka' })).toBe(1);
    expect(await m.value('rxflume_sink_connected', { component_id: 'kafka' })).toBe(1);
  });

  it('takes a started sink that never reports as connected, without overriding one that did', async () => {
    const m = new Metrics();
    m.registerSink('local');
    m.registerSink('kafka');
    m.sinkConnection('kafka', false);
    m.sinkStarted('local');
    m.sinkStarted('kafka');
    expect(await m.value('rxflume_sink_connected', { component_id: 'local' })).toBe(1);
    expect(await m.value('rxflume_sink_connected', { component_id: 'kafka' })).toBe(0);
    expect(m.isSinkConnected('local')).toBeUndefined();
  });

  it('when disabled, counts nothing but still knows the sinks’ connection state', async () => {
    const m = new Metrics({ enabled: false });
    m.registerSource('s');
    m.registerSink('k');
    m.fileSinkCreated('k');
    m.eventsReceived('s', 'source', 5, 50);
    m.sinkBatchSent('k', 5);
    m.sinkBatchAcknowledged('k', 5, 0.1, Date.now());
    m.collectProcessMetrics();
    m.sinkConnection('k', false);
    expect(m.enabled).toBe(false);
    expect(m.isSinkConnected('k')).toBe(false);
    expect(await m.value('rxflume_events_received_total')).toBe(0);
    const samples = (await m.registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples).toEqual([]);
  });

  it('exposes an exposition (with Node process metrics) that passes promtool check metrics', async () => {
    const m = new Metrics();
    m.collectProcessMetrics();
    m.collectProcessMetrics(); // idempotent: registering twice would throw
    m.registerSource('status');
    m.registerSink('hdfs');
    m.fileSinkCreated('hdfs');
    m.eventsReceived('status', 'source', 3, 30);
    m.sinkBatchAcknowledged('hdfs', 3, 0.004, Date.now() - 50);
    const text = await m.registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    const result = promtoolCheck(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

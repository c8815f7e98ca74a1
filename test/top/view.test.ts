/**
 * The pieces of the live view and the demo summary on real metrics: a real Metrics registry
 * (test/support/context.ts style) fed through the same helpers the pipeline calls, exposed as
 * Prometheus text, parsed back, read, rated, rendered and summarized.
 */
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '../../src/demo/summary.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { parseExposition, samplesFromRegistryJson } from '../../src/metrics/samples.js';
import { renderView } from '../../src/top/render.js';
import { ratesBetween, readingOf } from '../../src/top/snapshot.js';

async function agentLike(): Promise<Metrics> {
  const m = new Metrics();
  m.registerSource('status');
  m.registerSink('hdfs');
  m.fileSinkCreated('hdfs');
  m.eventsReceived('status', 'source', 1000, 50_000);
  m.eventsRejected('status', 'interceptor', 'filtered', 10);
  m.eventsRejected('status', 'validator', 'invalid', 5);
  m.eventsDeadLettered('status', 'invalid', 5, 'source');
  m.sinkBatchSent('hdfs', 985);
  m.sinkBatchAcknowledged('hdfs', 985, 0.01);
  m.fileRolled('hdfs', 'size');
  return m;
}

describe('live view and summary', () => {
  it('parses the exposition into the same reading as the in-process registry', async () => {
    const m = await agentLike();
    const fromText = readingOf(parseExposition(await m.registry.metrics()), 1000);
    const fromJson = readingOf(samplesFromRegistryJson(await m.registry.getMetricsAsJSON()), 1000);
    expect(fromText).toEqual(fromJson);
    expect(fromText.sources).toEqual([
      expect.objectContaining({ id: 'status', received: 1000, filtered: 10, deadLettered: 5, dropped: 0 }),
    ]);
    expect(fromText.sinks).toEqual([expect.objectContaining({ id: 'hdfs', sent: 985, delivered: 985, failed: 0, filesRolled: 1 })]);
  });

  it('parses labels with escapes and skips comments and malformed lines', () => {
    const samples = parseExposition(
      '# HELP x y\n# TYPE x counter\nx{a="q\\"uote",b="back\\\\slash"} 3\nbroken{ 4\nno_value\ny 2.5 1700000000\nz NaN\n',
    );
    expect(samples).toEqual([
      { name: 'x', labels: { a: 'q"uote', b: 'back\\slash' }, value: 3 },
      { name: 'y', labels: {}, value: 2.5 },
      { name: 'z', labels: {}, value: Number.NaN },
    ]);
  });

  it('computes rates between readings and renders them', async () => {
    const m = await agentLike();
    const before = readingOf(parseExposition(await m.registry.metrics()), 10_000);
    m.eventsReceived('status', 'source', 500);
    m.sinkBatchAcknowledged('hdfs', 250, 0.01);
    const after = readingOf(parseExposition(await m.registry.metrics()), 12_000);
    const rates = ratesBetween(before, after);
    expect(rates.in.get('status')).toBe(250);
    expect(rates.out.get('hdfs')).toBe(125);
    const text = renderView(after, rates, { url: 'http://127.0.0.1:9464', readiness: { ready: true, notReady: [] } });
    expect(text).toContain('rxflume http://127.0.0.1:9464/metrics  ready');
    expect(text).toMatch(/^status\s+250\s+1,500\s+10\s+5\s+0% \(0\/0\)$/m);
    expect(text).toMatch(/^hdfs\s+125\s+1,235\s+0\s+0\s+1\s+local$/m);
    expect(text).not.toContain('\x1b[');
    expect(renderView(after, rates, { color: true, readiness: { ready: false, notReady: ['sink k: disconnected'] } })).toContain(
      '\x1b[31mNOT READY: sink k: disconnected\x1b[0m',
    );
  });

  it("shows a sink's dead letters (permanent rejections) in its row", async () => {
    const m = await agentLike();
    m.registerSink('kafka');
    m.sinkBatchSent('kafka', 40);
    m.sinkBatchAcknowledged('kafka', 30, 0.01);
    m.eventsDeadLettered('kafka', 'rejected', 10, 'sink');
    const reading = readingOf(parseExposition(await m.registry.metrics()));
    const text = renderView(reading, ratesBetween(undefined, reading));
    expect(text).toMatch(/^sink\s+out\/s\s+delivered\s+dead-lettered\s+failed\s+files rolled\s+connection$/m);
    expect(text).toMatch(/^kafka\s+-\s+30\s+10\s+0\s+-\s+local$/m);
    expect(text).toMatch(/^hdfs\s+-\s+985\s+0\s+0\s+1\s+local$/m);
  });

  it('balances in = out + filtered + dead-lettered, and names a mismatch', async () => {
    const m = await agentLike();
    const sinks = new Map([['status', ['hdfs']]]);
    const ok = summarize(readingOf(parseExposition(await m.registry.metrics())), sinks);
    expect(ok.balanced).toBe(true);
    expect(formatSummary(ok)).toBe(
      '  status: in 1,000 = out hdfs 985 + filtered 10 + dead-lettered 5  ok\nbalanced: yes (in = out + filtered + dead-lettered, per source and sink)\n',
    );
    m.eventsReceived('status', 'source', 3);
    const off = summarize(readingOf(parseExposition(await m.registry.metrics())), sinks);
    expect(off.balanced).toBe(false);
    expect(formatSummary(off)).toContain(
      'status: in 1,003 = out hdfs 985 + filtered 10 + dead-lettered 5 + unsettled at hdfs 3 (never acknowledged: read again next run)  MISMATCH',
    );
    expect(off.sources[0]?.unsettled).toEqual({ hdfs: 3 });
    expect(formatSummary(off)).toContain('balanced: NO');
    // A batch read as the agent stopped and released unsent (spooldir: reason "stopped") balances.
    m.eventsRejected('status', 'source', 'stopped', 3);
    const released = summarize(readingOf(parseExposition(await m.registry.metrics())), sinks);
    expect(released.balanced).toBe(true);
    expect(formatSummary(released)).toContain(
      'status: in 1,003 = out hdfs 985 + filtered 10 + dead-lettered 5 + released at stop 3 (read again next run)  ok',
    );
  });
});

/**
 * The books balance: the pilot (config/smartcar.yaml) runs in-process over input with header
 * lines, garbage and invalid records mixed in; afterwards, per source,
 *   received = accepted + Σ rejected(reason)
 *   rejected by the validator = dead-lettered = the source's entries in the dead-letter file
 *   accepted = acknowledged + dead-lettered + failed by its sink
 * and every count equals what is actually in the input, the sink output (HDFS-layout files for
 * status, the Kafka topic on the mock broker for driving) and the dead-letter file.
 */
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/agent.js';
import { flumeView } from '../../src/metrics/flume-view.js';
import { STATUS_HEADER } from '../../src/simulator/status.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic, type TopicCollector } from '../support/kafka/topic.js';
import { listFiles, startPilotAgent } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

function statusLine(i: number): string {
  const s = String(i % 60).padStart(2, '0');
  const m = String(Math.floor(i / 60) % 60).padStart(2, '0');
  return `201601010${Math.floor(i / 3600)}${m}${s},A${String((i % 9) + 1).padStart(4, '0')},90,91,92,93,1,1,1,1,A,A,88`;
}

/** Status input: 300 good lines, 3 headers, 4 garbage lines that pass the filter, 5 out-of-range records. */
function statusInput(): { lines: string[]; good: number; headers: number; invalid: number } {
  const lines: string[] = [STATUS_HEADER];
  let good = 0;
  for (let i = 0; i < 300; i++) {
    lines.push(statusLine(i));
    good++;
    if (i === 100 || i === 200) lines.push(STATUS_HEADER);
    if (i % 75 === 3) lines.push(`2016010100000${i % 10} garbage that starts like a record`);
    if (i % 60 === 7) lines.push(statusLine(i).replace(',90,', ',140,')); // tire_fl above 100
  }
  return { lines, good, headers: 3, invalid: 4 + 5 };
}

function drivingInput(): { lines: string[]; good: number; headers: number; invalid: number } {
  const lines: string[] = [DRIVING_HEADER];
  for (let i = 0; i < 200; i++) {
    lines.push(drivingLine(i));
    if (i % 50 === 10) lines.push('20190101000000,garbage');
    if (i % 100 === 20) lines.push(drivingLine(10_000 + i).replace(/^(\d{14},\w+),\d,/, '$1,9,')); // pedal 9 is out of 0–5
  }
  lines.push(DRIVING_HEADER);
  return { lines, good: 200, headers: 2, invalid: 4 + 2 };
}

describe('counter consistency (pilot, in-process)', () => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  let broker: MockBroker | undefined;
  let topic: TopicCollector | undefined;
  afterAll(async () => {
    await agent?.stop();
    await topic?.stop();
    await broker?.stop();
    await cleanup();
  });

  it('balances received, accepted, rejected, acknowledged and dead-lettered against the data written', { timeout: 120_000 }, async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const status = statusInput();
    const driving = drivingInput();
    await mkdir(join(t.dir, 'car-batch-log'), { recursive: true });
    await mkdir(join(t.dir, 'driver-realtime-log'), { recursive: true });
    const drivingFile = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    await writeFile(drivingFile, `${driving.lines.slice(0, 50).join('\n')}\n`);

    broker = await startMockBroker();
    topic = await collectTopic(broker.bootstrap, 'SmartCar-Topic');
    agent = await startPilotAgent(t.dir, (y) => y, { RXFLUME_KAFKA_BROKERS: broker.bootstrap });
    await writeFile(join(t.dir, 'work.txt'), `${status.lines.join('\n')}\n`);
    await rename(join(t.dir, 'work.txt'), join(t.dir, 'car-batch-log', 'SmartCarStatusInfo_20160101.txt'));
    await appendFile(drivingFile, `${driving.lines.slice(50).join('\n')}\n`);

    const m = agent.metrics;
    const settled = async (source: string, sink: string, total: number) =>
      (await m.value('rxflume_events_received_total', { component_id: source })) === total &&
      (await m.value('rxflume_sink_events_total', { component_id: sink, result: 'acknowledged' })) +
        (await m.value('rxflume_dead_lettered_total', { component_id: source })) +
        (await m.value('rxflume_events_rejected_total', { component_id: source, component_kind: 'interceptor' })) ===
        total;
    await waitFor(() => settled('status', 'hdfs', status.lines.length), { timeoutMs: 90_000, what: 'status lines settled' });
    await waitFor(() => settled('driving', 'driving_kafka', driving.lines.length), { timeoutMs: 90_000, what: 'driving lines settled' });
    await topic.waitForCount(driving.good);
    const stopped = await agent.stop();
    expect(stopped.drained).toBe(true);

    const deadLetters = readFileSync(join(t.dir, 'dead-letter', 'dead-letter.test-agent.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sourceId: string; stage: string });
    const files = await listFiles(join(t.dir, 'hdfs'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    let statusWritten = 0;
    for (const f of files.filter((f) => f.includes('/car-batch-log/'))) {
      statusWritten += (await readFile(join(t.dir, 'hdfs', f), 'utf8')).split('\n').filter((l) => l !== '').length;
    }
    // The driving sink is Kafka: what reached the topic (one per partition/offset).
    const drivingWritten = topic.messages.length;
    const written: Record<string, number> = { hdfs: statusWritten, driving_kafka: drivingWritten };

    for (const [source, sink, input] of [
      ['status', 'hdfs', status],
      ['driving', 'driving_kafka', driving],
    ] as const) {
      const v = (name: string, labels: Record<string, string>) => m.value(name, { component_id: source, ...labels });
      const received = await v('rxflume_events_received_total', { component_kind: 'source' });
      const accepted = await v('rxflume_events_accepted_total', { component_kind: 'validator' });
      const rejected = await v('rxflume_events_rejected_total', {});
      const filtered = await v('rxflume_events_rejected_total', { reason: 'filtered' });
      const invalid = await v('rxflume_events_rejected_total', { component_kind: 'validator' });
      const deadLettered = await v('rxflume_dead_lettered_total', {});
      const sinkCount = (result: string) => m.value('rxflume_sink_events_total', { component_id: sink, result });
      const acknowledged = await sinkCount('acknowledged');
      const sinkDeadLettered = await m.value('rxflume_dead_lettered_total', { component_id: sink });

      // The identities.
      expect(received, `${source}: received = accepted + rejected`).toBe(accepted + rejected);
      expect(accepted, `${source}: accepted = acknowledged + dead-lettered + failed`).toBe(
        acknowledged + sinkDeadLettered + (await sinkCount('failed')),
      );
      expect(invalid, `${source}: rejected by validation = dead-lettered`).toBe(deadLettered);
      expect(await sinkCount('sent')).toBe(accepted);
      // Against the data.
      expect(received).toBe(input.lines.length);
      expect(await v('rxflume_source_bytes_read_total', {})).toBe(input.lines.reduce((n, l) => n + Buffer.byteLength(l), 0));
      expect(filtered).toBe(input.headers);
      expect(deadLettered).toBe(input.invalid);
      expect(deadLetters.filter((d) => d.sourceId === source)).toHaveLength(deadLettered);
      expect(acknowledged).toBe(input.good);
      expect(written[sink]).toBe(acknowledged);
      expect(await v('rxflume_events_rejected_total', { reason: 'buffer_full' })).toBe(0);
    }
    expect(await m.value('rxflume_spool_files_total', { component_id: 'status', outcome: 'deleted' })).toBe(1);
    expect(await m.value('rxflume_spool_files_pending', { component_id: 'status' })).toBe(0);

    // The Flume view reads the same books.
    const view = await flumeView(m);
    expect(view['SOURCE.status']?.EventReceivedCount).toBe(String(status.lines.length));
    // Flume's meaning: what the buffer (channel) took, before interceptors and validation.
    expect(view['SOURCE.status']?.EventAcceptedCount).toBe(String(status.lines.length));
    expect(view['SINK.hdfs']?.EventDrainSuccessCount).toBe(String(statusWritten));
    expect(view['SINK.driving_kafka']?.EventDrainSuccessCount).toBe(String(drivingWritten));
  });
});

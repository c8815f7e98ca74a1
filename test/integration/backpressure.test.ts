/**
 * A slow sink governs the source: with acks arriving slowly, the events read but not yet
 * acknowledged never exceed the buffer bound, and everything still arrives once, in order.
 * The source is the real tail follower; the sink is a deliberately slow implementation of the
 * Sink interface (the thing under test is the pipeline, not a sink).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';
import type { Sink } from '../../src/core/component.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { SourcePipeline } from '../../src/core/pipeline.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createSinkLane } from '../../src/operators/sink-lane.js';
import { createLineParser } from '../../src/schemas/line-parser.js';
import { createFileDeadLetterSink } from '../../src/sinks/dead-letter/index.js';
import { tailSource } from '../../src/sources/tail/index.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

class SlowSink implements Sink {
  readonly id = 'slow';
  readonly lines: string[] = [];
  maxUnsettledSeen = 0;
  constructor(
    private readonly gate: FlowGate,
    private readonly delayMs: number,
  ) {}
  async start(): Promise<void> {}
  async write(batch: EventBatch): Promise<void> {
    this.maxUnsettledSeen = Math.max(this.maxUnsettledSeen, this.gate.inFlightEvents);
    await sleep(this.delayMs);
    for (const e of batch.events) this.lines.push(e.body.toString());
  }
  async close(): Promise<void> {}
}

describe('backpressure', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('read − acknowledged never exceeds the buffer bound under a slow sink', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'in.log');
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const metrics = new Metrics();
    const logger = silentLogger();
    const gate = new FlowGate({ maxEvents: 500, maxBytes: 1 << 20 });
    const ctx = { id: 'tail', agentId: 'bp', stateDir: join(t.dir, 'state'), logger, metrics, now: Date.now };
    const source = tailSource.create(tailSource.configSchema.parse({ path: file, batchSize: 100, pollIntervalMs: 20 }), { ...ctx, gate });
    const sink = new SlowSink(gate, 2);
    const deadLetter = createFileDeadLetterSink({ dir: join(t.dir, 'dlq'), agentId: 'bp' }, ctx);
    const pipeline = new SourcePipeline({
      source,
      gate,
      interceptors: [],
      parser: createLineParser(),
      lanes: [createSinkLane(sink, { metrics, deadLetter, logger })],
      deadLetter,
      metrics,
      logger,
      batch: { maxEvents: 50, lingerMs: 5 },
    });
    pipeline.start();
    await waitFor(() => sink.lines.length === lines.length, { timeoutMs: 120_000, what: 'all lines through the slow sink' });
    await pipeline.stop();
    await pipeline.done;
    await deadLetter.close();
    expect(sink.lines).toEqual(lines);
    expect(gate.peakEvents).toBeLessThanOrEqual(500);
    expect(sink.maxUnsettledSeen).toBeGreaterThan(100);
    expect(gate.inFlightEvents).toBe(0);
  });
});

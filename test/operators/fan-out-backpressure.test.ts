/**
 * Fan-out under the flow gate, with the real source path (admitLines → FileProgress → FlowGate):
 * the slower sink governs the source, the faster one never runs ahead by more than the gate's
 * bound, and the checkpoint reaches the end of the file only when both sinks have everything.
 */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { FileProgress } from '../../src/core/progress.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { fanOut } from '../../src/operators/fan-out.js';
import { createSinkLane } from '../../src/operators/sink-lane.js';
import { admitLines } from '../../src/sources/emit.js';
import { SplitLine } from '../../src/sources/line-splitter.js';
import { waitFor } from '../support/wait.js';
import { ArrayDeadLetter, ArraySink } from './support.js';

/** Records, at each of its writes, how far it is ahead of `peer` in events. */
class LeadTrackingSink extends ArraySink {
  maxLead = 0;
  peer: ArraySink | null = null;
  override async write(batch: EventBatch): Promise<void> {
    await super.write(batch);
    const lead = this.events.length - (this.peer?.events.length ?? 0);
    this.maxLead = Math.max(this.maxLead, lead);
  }
}

describe('fanOut with the flow gate', () => {
  it('bounds how far a fast sink runs ahead of a slow one and delivers everything in order', async () => {
    const maxEvents = 20;
    const gate = new FlowGate({ maxEvents, maxBytes: 1 << 20 });
    let committed = 0;
    const progress = new FileProgress(0, {
      onSettle: (bytes) => gate.release(1, bytes),
      onAdvance: (offset) => {
        committed = offset;
      },
    });
    const metrics = new Metrics();
    const slow = new ArraySink('hdfs', { delayMs: 2 });
    const fast = new LeadTrackingSink('kafka');
    fast.peer = slow;
    const lanes = [slow, fast].map((sink) => createSinkLane(sink, { metrics, deadLetter: new ArrayDeadLetter(), logger: silentLogger() }));

    const input = new Subject<EventBatch>();
    let completed = false;
    input.pipe(fanOut(lanes)).subscribe({ complete: () => (completed = true) });

    const expected: string[] = [];
    let offset = 0;
    for (let b = 0; b < 40; b++) {
      const lines: SplitLine[] = [];
      for (let i = 0; i < 5; i++) {
        const body = Buffer.from(`2024010100${String(b * 5 + i).padStart(4, '0')},K0001,80`);
        lines.push(SplitLine.of(offset, offset + body.length + 1, body));
        offset += body.length + 1;
        expected.push(body.toString());
      }
      const result = await admitLines(lines, { sourceId: 'spool', fileKey: 'f', path: '/in/f' }, progress, gate, metrics);
      if (result.kind !== 'batch') throw new Error(`unexpected ${result.kind}`);
      input.next(result.batch);
      expect(gate.inFlightEvents).toBeLessThanOrEqual(maxEvents);
    }
    progress.seal();
    input.complete();

    await waitFor(() => completed && progress.isComplete, { what: 'all delivered' });
    expect(slow.events).toEqual(expected);
    expect(fast.events).toEqual(expected);
    expect(gate.peakEvents).toBeLessThanOrEqual(maxEvents);
    expect(fast.maxLead).toBeLessThanOrEqual(maxEvents);
    expect(gate.inFlightEvents).toBe(0);
    expect(committed).toBe(offset);
  });
});

// SerialSink (one sink shared by several pipelines): writes one at a time in order, and the
// prepare hint reaches the sink at once, ahead of the queued writes.
import { describe, expect, it } from 'vitest';
import type { Sink } from '../../src/core/component.js';
import type { EventBatch } from '../../src/core/event.js';
import { SerialSink } from '../../src/core/serial-sink.js';
import { waitFor } from '../support/wait.js';

class RecordingSink implements Sink {
  readonly id = 'rec';
  readonly log: string[] = [];
  running = 0;
  private release: (() => void) | undefined;
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  prepare(batch: EventBatch): void {
    this.log.push(`prepare ${batch.sourceId}`);
  }
  async write(batch: EventBatch): Promise<void> {
    this.running++;
    this.log.push(`write ${batch.sourceId}`);
    if (batch.sourceId === 'a') await new Promise<void>((r) => (this.release = r));
    this.running--;
  }
  letGo(): void {
    this.release?.();
  }
}

const batch = (sourceId: string): EventBatch => ({ sourceId, events: [] });

describe('SerialSink', () => {
  it('passes prepare on at once and runs writes one at a time, in order', async () => {
    const inner = new RecordingSink();
    const serial = new SerialSink(inner);
    const a = serial.write(batch('a'));
    const b = serial.write(batch('b'));
    serial.prepare(batch('c'));
    await waitFor(() => inner.log.includes('write a'), { what: 'first write' });
    // Not queued behind the writes: it reached the sink before the first one even started.
    expect(inner.log).toEqual(['prepare c', 'write a']);
    inner.letGo();
    await Promise.all([a, b]);
    expect(inner.log).toEqual(['prepare c', 'write a', 'write b']);
    expect(inner.running).toBe(0);
  });
});

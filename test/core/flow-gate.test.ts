import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';

describe('FlowGate (bounded buffer)', () => {
  it('admits up to the event bound, then blocks until credit returns (FIFO)', async () => {
    const gate = new FlowGate({ maxEvents: 10, maxBytes: 1000 });
    expect(gate.admit(6, 60)).toBe('admitted');
    const second = gate.admit(5, 50);
    const third = gate.admit(1, 10);
    expect(second).toBeInstanceOf(Promise);
    let order: string[] = [];
    void (second as Promise<string>).then(() => order.push('second'));
    void (third as Promise<string>).then(() => order.push('third'));
    gate.release(6, 60);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['second', 'third']);
    expect(gate.inFlightEvents).toBe(6);
    order = [];
  });

  it('bounds bytes as well as events', () => {
    const gate = new FlowGate({ maxEvents: 100, maxBytes: 100 });
    expect(gate.admit(1, 80)).toBe('admitted');
    expect(gate.admit(1, 30)).toBeInstanceOf(Promise);
  });

  it('admits one oversized batch when empty, so it can never deadlock', () => {
    const gate = new FlowGate({ maxEvents: 10, maxBytes: 100 });
    expect(gate.admit(1, 5_000_000)).toBe('admitted');
    expect(gate.fillRatio).toBeGreaterThan(1);
  });

  it('drop_newest answers dropped instead of waiting', () => {
    const gate = new FlowGate({ maxEvents: 2, maxBytes: 100, whenFull: 'drop_newest' });
    expect(gate.admit(2, 2)).toBe('admitted');
    expect(gate.admit(1, 1)).toBe('dropped');
  });

  it('close answers closed to waiters and later calls', async () => {
    const gate = new FlowGate({ maxEvents: 1, maxBytes: 100 });
    gate.admit(1, 1);
    const waiting = gate.admit(1, 1);
    gate.close();
    await expect(waiting).resolves.toBe('closed');
    expect(gate.admit(1, 1)).toBe('closed');
  });

  it('refuses to release more than was admitted', () => {
    const gate = new FlowGate({ maxEvents: 5, maxBytes: 100 });
    gate.admit(1, 1);
    expect(() => gate.release(2, 1)).toThrow(/released more than admitted/);
  });
});

/** The packed form of a produce request (what crosses to the producer thread), byte for byte. */
import { describe, expect, it } from 'vitest';
import { packRequest } from '../../../src/sinks/kafka/packed-request.js';

describe('packed produce request', () => {
  it('lays out keys, values and header values back to back with their lengths, header names by index, null keys as -1', () => {
    const packed = packRequest([
      { topic: 'a', messages: [{ key: 'K1', value: Buffer.from('v1'), headers: { h: 'x', é: Buffer.from('yz') } }] },
      {
        topic: 'b',
        messages: [
          { key: null, value: 'ü' },
          { key: 'K3', value: Buffer.alloc(0), headers: { é: 'w', h: '' } },
        ],
      },
    ]);
    expect(packed.topics).toEqual(['a', 'b']);
    expect(packed.counts).toEqual([1, 2]);
    expect(packed.names).toEqual(['h', 'é']);
    expect([...packed.meta]).toEqual([2, 2, 2, 0, 1, 1, 2, -1, 2, 0, 2, 0, 2, 1, 1, 0, 0]);
    expect(Buffer.from(packed.data).toString('utf8')).toBe('K1v1xyzüK3w');
  });

  it('owns its buffers, so transferring them detaches nothing else', () => {
    const packed = packRequest([{ topic: 't', messages: [{ key: 'k', value: 'v' }] }]);
    expect(packed.data.byteOffset).toBe(0);
    expect(packed.data.buffer.byteLength).toBe(packed.data.byteLength);
    expect(packed.meta.buffer.byteLength).toBe(packed.meta.byteLength);
  });
});

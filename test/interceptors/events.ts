/** Builds real events for interceptor tests; `outcome()` tells how (if at all) the ack settled. */
import { OnceAck } from '../../src/core/ack.js';
import type { AckOutcome, FlumeEvent, Headers } from '../../src/core/event.js';

export interface TestEvent extends FlumeEvent {
  outcome(): AckOutcome | undefined;
}

let seq = 0;

export function makeEvent(body: string | Buffer, headers: Headers = {}): TestEvent {
  let settled: AckOutcome | undefined;
  const offset = seq++ * 100;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    id: `src:file:${offset}`,
    body: bytes,
    headers: { ...headers },
    position: { fileKey: 'file', path: '/spool/file.txt', offset, end: offset + bytes.length + 1 },
    ack: new OnceAck((o) => {
      settled = o;
    }),
    outcome: () => settled,
  };
}

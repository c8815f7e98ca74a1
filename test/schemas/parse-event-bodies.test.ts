/**
 * ParseWorkerClient.parseEventBodies: the worker answers the same as for the joined bodies, for
 * line events whose append_field suffix is kept beside the body and for plain events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';
import type { FlumeEvent } from '../../src/core/event.js';
import { FileProgress } from '../../src/core/progress.js';
import { createInterceptorChain } from '../../src/interceptors/registry.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { canParseEventBodies, ParseWorkerClient } from '../../src/schemas/parse-worker-client.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { admitLines } from '../../src/sources/emit.js';
import { LineSplitter } from '../../src/sources/line-splitter.js';
import { makeEvent } from '../interceptors/events.js';
import { testContext } from '../support/context.js';

const schema = loadSchemaRegistry().get('smartcar.CarStatus', 1);
const RAW = [
  '20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77',
  '20160101000000,K0002,140,91,90,87,1,1,1,1,A,B,77', // tire_fl out of range
  'SmartCar Status Information,CarNum', // wrong column count
  '20160101240000,Z9999,0,100,0,100,1,2,1,2,B,C,100',
];

async function appendedLineEvents(): Promise<FlumeEvent[]> {
  const lines = new LineSplitter({ startOffset: 0, maxLineBytes: 4096 }).push(Buffer.from(`${RAW.join('\n')}\n`));
  const origin = { sourceId: 'spool', fileKey: 'k', path: '/in/f' };
  const answer = await admitLines(lines, origin, new FileProgress(0), new FlowGate({ maxEvents: 100, maxBytes: 1 << 20 }), new Metrics());
  if (answer.kind !== 'batch') throw new Error('not admitted');
  const ctx = testContext('spool', '/unused', { now: () => Date.UTC(2016, 0, 1, 9) });
  const chain = createInterceptorChain([{ type: 'timestamp' }, { type: 'append_field', timeZone: 'UTC' }], ctx);
  for (const e of answer.batch.events) chain.intercept(e);
  return answer.batch.events;
}

describe('ParseWorkerClient.parseEventBodies', () => {
  const clients: ParseWorkerClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('answers exactly what parseBatch answers for the joined bodies', async () => {
    const client = new ParseWorkerClient(schema, ',');
    clients.push(client);
    expect(canParseEventBodies(client)).toBe(true);
    const events = await appendedLineEvents();
    const fromEvents = await client.parseEventBodies(events);
    const joined = RAW.map((l) => Buffer.from(`${l},20160101`));
    const fromBodies = await client.parseBatch(joined);
    expect(Buffer.from(fromEvents.encoded)).toEqual(Buffer.from(fromBodies.encoded));
    expect([...fromEvents.encodedEnds]).toEqual([...fromBodies.encodedEnds]);
    expect(fromEvents.failures).toEqual(fromBodies.failures);
    expect(fromEvents.failures.map((f) => f.index)).toEqual([1, 2]);
    // The events' own bodies, read afterwards, are the joined lines.
    expect(events.map((e) => e.body.toString())).toEqual(joined.map((b) => b.toString()));
  });

  it('takes plain events too', async () => {
    const client = new ParseWorkerClient(schema, ',');
    clients.push(client);
    const events = RAW.map((l) => makeEvent(l));
    const fromEvents = await client.parseEventBodies(events);
    const fromBodies = await client.parseBatch(RAW.map((l) => Buffer.from(l)));
    expect(Buffer.from(fromEvents.encoded)).toEqual(Buffer.from(fromBodies.encoded));
    expect(fromEvents.failures).toEqual(fromBodies.failures);
  });
});

import type avro from 'avsc';
import { lastValueFrom, Observable, of, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';
import type { RecordParser } from '../../src/core/component.js';
import { ErrorCodes } from '../../src/core/errors.js';
import type { EventBatch } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import { FileProgress } from '../../src/core/progress.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { validateBatch } from '../../src/operators/validate-batch.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { ParseWorkerClient } from '../../src/schemas/parse-worker-client.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { admitLines } from '../../src/sources/emit.js';
import { SplitLine } from '../../src/sources/line-splitter.js';
import { waitFor } from '../support/wait.js';
import { ArrayDeadLetter, acksOf, bodiesOf, makeBatch } from './support.js';

const schema = loadSchemaRegistry().get('smartcar.CarStatus');
const syncParser = createCsvParser(schema, { worker: false });
const line = (car: string, tire = 50, engine = 'A') => `20160101000000,${car},${tire},91,90,87,1,1,1,1,${engine},B,77`;
const options = (metrics = new Metrics()) => ({ sourceId: 'spool', metrics, logger: silentLogger() });

/** The real CSV parser, whose batch parser is a worker running `script` (one that fails on purpose). */
function parserWithWorker(script: URL): RecordParser {
  return { ...syncParser, openBatchParser: () => new ParseWorkerClient(schema, ',', script) };
}

const CRASH_ON_SECOND = new URL(
  `data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  let n = 0;
  parentPort.on('message', (m) => {
    if (n++ > 0) process.exit(3);
    parentPort.postMessage({ id: m.id, encoded: new ArrayBuffer(0), encodedEnds: new Int32Array(m.ends.length),
      failures: Array.from(m.ends, (_, index) => ({ index, code: 'RXF_PARSE_FAILED', reason: 'scripted' })) });
  });`)}`,
);

/** A worker that never answers (a stuck parse). */
const SILENT = new URL(
  `data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {});`)}`,
);

describe('validateBatch with a parse worker', () => {
  it('emits valid records in input order and dead-letters the rest with the field named', async () => {
    const metrics = new Metrics();
    const deadLetter = new ArrayDeadLetter();
    const parser = createCsvParser(schema);
    expect(parser.openBatchParser).toBeTypeOf('function');
    const batches = [
      makeBatch('spool', [line('K0001'), line('K0002', 140), line('K0003')]),
      makeBatch('spool', ['garbage', line('K0004'), line('K0005', 1, 'Z')]),
      makeBatch('spool', [line('K0006'), line('K0007')]),
    ];
    const oversize = batches[2]!.events[0]!;
    oversize.error = { code: ErrorCodes.LINE_TOO_LONG, reason: 'line of 9999999 bytes exceeds maxLineBytes' };

    const out = await lastValueFrom(of(...batches).pipe(validateBatch(parser, deadLetter, options(metrics)), toArray()));

    expect(out.flatMap(bodiesOf).map((b) => b.slice(15, 20))).toEqual(['K0001', 'K0003', 'K0004', 'K0007']);
    for (const batch of out) {
      expect(batch.schema).toBe(parser.schema);
      for (const e of batch.events) expect(e.record).toEqual((syncParser.parse(e.body) as { record: unknown }).record);
    }
    expect(deadLetter.entries.map((e) => [e.stage, e.code])).toEqual([
      ['validate', ErrorCodes.VALIDATION_FAILED],
      ['parse', ErrorCodes.PARSE_FAILED],
      ['validate', ErrorCodes.VALIDATION_FAILED],
      ['source', ErrorCodes.LINE_TOO_LONG],
    ]);
    expect(deadLetter.entries[0]!.reason).toBe('tire_fl: 140 is above the maximum 100');
    expect(deadLetter.entries[2]!.reason).toContain('engine');
    expect(acksOf(batches).map((a) => a.calls)).toEqual([[], ['rejected'], [], ['rejected'], [], ['rejected'], ['rejected'], []]);
    expect(await metrics.value('rxflume_events_accepted_total', { component_kind: 'validator' })).toBe(4);
    expect(await metrics.value('rxflume_dead_lettered_total', { component_id: 'spool' })).toBe(4);
  });

  it('gives source line events their record encoded, decoded only when read', async () => {
    const gate = new FlowGate({ maxEvents: 100, maxBytes: 1 << 20 });
    const progress = new FileProgress(0);
    const bodies = [line('K0001'), line('K0002', 999), line('K0003')];
    let offset = 0;
    const split = bodies.map((text) => {
      const body = Buffer.from(text);
      const l = SplitLine.of(offset, offset + body.length + 1, body);
      offset = l.end;
      return l;
    });
    const origin = { sourceId: 'spool', fileKey: 'k', path: '/in/f' };
    const admitted = await admitLines(split, origin, progress, gate, new Metrics());
    if (admitted.kind !== 'batch') throw new Error('not admitted');
    const out = await lastValueFrom(
      of(admitted.batch).pipe(validateBatch(createCsvParser(schema), new ArrayDeadLetter(), options()), toArray()),
    );
    const events = out[0]!.events;
    expect(events).toHaveLength(2);
    const type = schema.type as avro.Type;
    for (const e of events) {
      const encoded = e.encodedRecord?.();
      expect(encoded).toBeInstanceOf(Buffer);
      expect(type.fromBuffer(encoded as Buffer)).toEqual((syncParser.parse(e.body) as { record: unknown }).record);
      expect(e.record).toEqual(type.fromBuffer(encoded as Buffer));
    }
    // Replacing the record drops the encoding, so a sink never writes a stale one.
    events[0]!.record = { replaced: true };
    expect(events[0]!.encodedRecord?.()).toBeUndefined();
    expect(events[0]!.record).toEqual({ replaced: true });
  });

  it('completes only after every batch still in the worker was emitted', async () => {
    const input = new Subject<EventBatch>();
    const emitted: EventBatch[] = [];
    let completed = false;
    input.pipe(validateBatch(createCsvParser(schema), new ArrayDeadLetter(), options())).subscribe({
      next: (b) => emitted.push(b),
      complete: () => {
        completed = true;
      },
    });
    for (let i = 0; i < 5; i++) input.next(makeBatch('spool', [line(`K000${i}`)]));
    input.complete();
    expect(completed).toBe(false);
    await waitFor(() => completed, { what: 'completion after the worker answered' });
    expect(emitted.flatMap(bodiesOf).map((b) => b.slice(15, 20))).toEqual(['K0000', 'K0001', 'K0002', 'K0003', 'K0004']);
  });

  it('errors (never hangs) when the worker dies, failing every event in flight exactly once', async () => {
    const deadLetter = new ArrayDeadLetter();
    const input = new Subject<EventBatch>();
    let error: unknown;
    input.pipe(validateBatch(parserWithWorker(CRASH_ON_SECOND), deadLetter, options())).subscribe({
      error: (err) => {
        error = err;
      },
    });
    const first = makeBatch('spool', [line('K0001')]);
    const inFlight = [makeBatch('spool', [line('K0002'), line('K0003')]), makeBatch('spool', [line('K0004')])];
    input.next(first);
    for (const b of inFlight) input.next(b);
    await waitFor(() => error !== undefined, { what: 'pipeline error after the worker died' });
    expect(error).toMatchObject({ code: ErrorCodes.PARSE_FAILED });
    expect(String((error as Error).message)).toContain('exited unexpectedly');
    expect(acksOf(inFlight).map((a) => a.calls)).toEqual([['failed'], ['failed'], ['failed']]);
    // The first batch was answered (scripted failures) and dead-lettered before the crash.
    await waitFor(() => acksOf([first])[0]!.settled, { what: 'first batch dead-lettered' });
    expect(acksOf([first])[0]!.calls).toEqual(['rejected']);
  });

  it('fails the batches still in the worker when unsubscribed, and emits nothing after', async () => {
    const batches = [makeBatch('spool', [line('K0001')]), makeBatch('spool', [line('K0002')])];
    const emitted: EventBatch[] = [];
    const sub = new Observable<EventBatch>((s) => {
      for (const b of batches) s.next(b);
    })
      .pipe(validateBatch(parserWithWorker(SILENT), new ArrayDeadLetter(), options()))
      .subscribe({ next: (b) => emitted.push(b) });
    sub.unsubscribe();
    expect(acksOf(batches).map((a) => a.calls)).toEqual([['failed'], ['failed']]);
    await new Promise((r) => setTimeout(r, 50));
    expect(emitted).toEqual([]);
  });

  it('parses on the main thread when told not to use the worker', async () => {
    let opened = 0;
    const parser: RecordParser = {
      ...syncParser,
      openBatchParser: () => {
        opened++;
        throw new Error('must not be opened');
      },
    };
    const out = await lastValueFrom(
      of(makeBatch('spool', [line('K0001')])).pipe(
        validateBatch(parser, new ArrayDeadLetter(), { ...options(), worker: false }),
        toArray(),
      ),
    );
    expect(opened).toBe(0);
    expect(out[0]!.events[0]!.record).toMatchObject({ car_number: 'K0001' });
  });
});

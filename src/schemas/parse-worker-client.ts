/**
 * The main-thread side of the parse worker (parse-worker.ts): a BatchParser that sends each
 * batch's bodies, packed into one transferred buffer, to a worker thread running the CSV parser,
 * and answers the records Avro-encoded.
 *
 * Invariants:
 * - Order: one worker, handling messages one at a time, so results come back in request order;
 *   each request is matched to its answer by id all the same.
 * - Bounded: requests in flight are batches that took flow-gate credit, so the gate bounds them
 *   (and the memory they hold) like every other stage.
 * - Failure: if the worker dies (uncaught error, exit) every request in flight and every later
 *   one rejects with RXF_PARSE_FAILED naming the cause, never hangs; the caller fails its events.
 * - `close` terminates the worker; requests still in flight reject with RXF_SHUTDOWN.
 * - The worker keeps the process alive only while a request is in flight.
 *
 * The worker runs compiled JavaScript: next to this module in dist/, or dist/schemas/ of the
 * package when this module runs from TypeScript source (tests; `npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchParser, EncodedBatch } from '../core/component.js';
import { ErrorCodes, RxfError } from '../core/errors.js';
import { bodyLength, copyBodyInto, type FlumeEvent } from '../core/event.js';
import type { VersionedSchemaRef } from './csv-versions.js';
import type { ParseRequest, ParseResponse, ParseWorkerData } from './parse-worker.js';

interface Pending {
  resolve(batch: EncodedBatch): void;
  reject(err: Error): void;
}

export function parseWorkerScript(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/schemas/parse-worker.js', here) : new URL('./parse-worker.js', here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`parse worker script ${fileURLToPath(url)} is missing (run npm run build)`);
  return url;
}

/** A BatchParser that can also take events and copy their bodies itself (see `parseEventBodies`). */
export interface EventBodiesParser extends BatchParser {
  parseEventBodies(events: readonly FlumeEvent[]): Promise<EncodedBatch>;
}

export function canParseEventBodies(parser: BatchParser): parser is EventBodiesParser {
  return typeof (parser as Partial<EventBodiesParser>).parseEventBodies === 'function';
}

export class ParseWorkerClient implements EventBodiesParser {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken: Error | undefined;
  private closing = false;

  /** `script` replaces the worker's code (tests start workers that fail on purpose). */
  constructor(schema: VersionedSchemaRef, delimiter: string, script: URL = parseWorkerScript()) {
    const workerData: ParseWorkerData = {
      schemaName: schema.name,
      schema: schema.schema,
      delimiter,
      ...(schema.version === undefined ? {} : { version: schema.version }),
      earlier: (schema.earlier ?? []).map((e) => ({ version: e.version, schema: e.schema })),
    };
    this.worker = new Worker(script, { workerData });
    this.worker.unref();
    this.worker.on('message', (response: ParseResponse) => this.answer(response));
    this.worker.on('error', (err) =>
      this.fail(new RxfError(ErrorCodes.PARSE_FAILED, `parse worker failed: ${err.message}`, { cause: err })),
    );
    this.worker.on('exit', (code) => {
      if (this.closing) this.fail(new RxfError(ErrorCodes.SHUTDOWN, 'parse worker closed'));
      else this.fail(new RxfError(ErrorCodes.PARSE_FAILED, `parse worker exited unexpectedly (code ${code})`));
    });
  }

  /** Batches sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  parseBatch(bodies: readonly Buffer[]): Promise<EncodedBatch> {
    const refused = this.refusal();
    if (refused) return refused;
    let total = 0;
    for (const body of bodies) total += body.length;
    const packed = new ArrayBuffer(total);
    const view = new Uint8Array(packed);
    const ends = new Int32Array(bodies.length);
    let pos = 0;
    for (let i = 0; i < bodies.length; i++) {
      const body = bodies[i] as Buffer;
      view.set(body, pos);
      pos += body.length;
      ends[i] = pos;
    }
    return this.request(packed, ends);
  }

  /**
   * Same as `parseBatch` over the events' bodies, copied straight into the transferred buffer
   * (a suffix appended by append_field included, without joining it into a new body first).
   */
  parseEventBodies(events: readonly FlumeEvent[]): Promise<EncodedBatch> {
    const refused = this.refusal();
    if (refused) return refused;
    let total = 0;
    for (const event of events) total += bodyLength(event);
    const packed = new ArrayBuffer(total);
    const view = new Uint8Array(packed);
    const ends = new Int32Array(events.length);
    let pos = 0;
    for (let i = 0; i < events.length; i++) {
      pos += copyBodyInto(events[i] as FlumeEvent, view, pos);
      ends[i] = pos;
    }
    return this.request(packed, ends);
  }

  private refusal(): Promise<EncodedBatch> | undefined {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new RxfError(ErrorCodes.SHUTDOWN, 'parse worker closed'));
    return undefined;
  }

  private request(packed: ArrayBuffer, ends: Int32Array): Promise<EncodedBatch> {
    const id = this.nextId++;
    const request: ParseRequest = { id, bodies: packed, ends };
    return new Promise<EncodedBatch>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request, [packed, ends.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Fail what is in flight first: an answer arriving while the worker terminates is ignored.
    this.fail(new RxfError(ErrorCodes.SHUTDOWN, 'parse worker closed'));
    await this.worker.terminate();
  }

  private answer(response: ParseResponse): void {
    if (this.broken) return;
    const waiting = this.pending.get(response.id);
    if (!waiting) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    waiting.resolve({ encoded: Buffer.from(response.encoded), encodedEnds: response.encodedEnds, failures: response.failures });
  }

  private fail(err: Error): void {
    this.broken ??= err;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.worker.unref();
    for (const w of waiting) w.reject(this.broken);
  }
}

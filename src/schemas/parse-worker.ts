/**
 * Worker-thread entry of the parse worker (parse-worker-client.ts starts it): parses batches of
 * lines with the same CSV parser the main thread would use (same configured version, same earlier
 * versions, so lines pick their version identically) and answers every valid record in its Avro
 * binary encoding against the configured version, so the main thread neither parses nor builds
 * record objects. The work itself is parse-batch.ts (ordinary lines go bytes → Avro bytes
 * directly; the rest through the parser).
 *
 * Protocol (one message in, one message out, in order):
 *   in:  { id, bodies: ArrayBuffer, ends: Int32Array }  line i is bodies[ends[i-1] (or 0), ends[i])
 *   out: { id, encoded: ArrayBuffer, encodedEnds: Int32Array, failures: [{ index, code, reason }] }
 *        record i is encoded[encodedEnds[i-1] (or 0), encodedEnds[i]); a failed line is empty
 *        there and listed in `failures` with the parser's code and reason (naming the field).
 * Buffers are transferred, not copied. A parser that throws fails only that line
 * (RXF_PARSE_FAILED); anything else that goes wrong ends the worker, which the client reports
 * as an error for every batch still in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBatchEncoder, type ParseFailure, type ParseWorkerData } from './parse-batch.js';

export type { ParseFailure, ParseWorkerData } from './parse-batch.js';

export interface ParseRequest {
  readonly id: number;
  readonly bodies: ArrayBuffer;
  readonly ends: Int32Array;
}

export interface ParseResponse {
  readonly id: number;
  readonly encoded: ArrayBuffer;
  readonly encodedEnds: Int32Array;
  readonly failures: ParseFailure[];
}

const port = parentPort;
if (port) {
  const encodeBatch = createBatchEncoder(workerData as ParseWorkerData);
  port.on('message', (request: ParseRequest) => {
    const { encoded, encodedEnds, failures } = encodeBatch(Buffer.from(request.bodies), request.ends);
    const response: ParseResponse = { id: request.id, encoded, encodedEnds, failures };
    port.postMessage(response, [encoded, encodedEnds.buffer]);
  });
}

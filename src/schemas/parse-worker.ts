/**
 * Worker-thread entry of the parse worker (parse-worker-client.ts starts it): parses batches of
 * lines with the same CSV parser the main thread would use (same configured version, same earlier
 * versions, so lines pick their version identically) and answers every valid record in its Avro
 * binary encoding against the configured version, so the main thread neither parses nor builds
 * record objects.
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
import avro from 'avsc';
import type { ParseResult } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { createCsvParser } from './csv-parser.js';

export interface ParseWorkerData {
  readonly schemaName: string;
  readonly schema: object;
  readonly delimiter: string;
  /** The configured version and the earlier ones, so the worker picks versions as the main thread would. */
  readonly version?: number;
  readonly earlier?: readonly { readonly version: number; readonly schema: object }[];
}

export interface ParseRequest {
  readonly id: number;
  readonly bodies: ArrayBuffer;
  readonly ends: Int32Array;
}

export interface ParseFailure {
  readonly index: number;
  readonly code: string;
  readonly reason: string;
}

export interface ParseResponse {
  readonly id: number;
  readonly encoded: ArrayBuffer;
  readonly encodedEnds: Int32Array;
  readonly failures: ParseFailure[];
}

const port = parentPort;
if (port) {
  const data = workerData as ParseWorkerData;
  const type = avro.Type.forSchema(data.schema as avro.Schema, { registry: {} });
  const earlier = (data.earlier ?? []).map((e) => ({
    name: data.schemaName,
    version: e.version,
    schema: e.schema,
    type: avro.Type.forSchema(e.schema as avro.Schema, { registry: {} }),
  }));
  const parser = createCsvParser(
    { name: data.schemaName, type, schema: data.schema, ...(data.version === undefined ? {} : { version: data.version }), earlier },
    { delimiter: data.delimiter },
  );
  let scratch = Buffer.allocUnsafeSlow(1 << 20);

  port.on('message', (request: ParseRequest) => {
    const bodies = Buffer.from(request.bodies);
    const { ends } = request;
    const encodedEnds = new Int32Array(ends.length);
    const failures: ParseFailure[] = [];
    let pos = 0;
    let start = 0;
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i] as number;
      const result = parseSafely(bodies.subarray(start, end));
      start = end;
      if (result.ok) {
        for (;;) {
          const next = type.encode(result.record, scratch, pos);
          if (next >= 0) {
            pos = next;
            break;
          }
          const grown = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, scratch.length - next + 1024));
          scratch.copy(grown, 0, 0, pos);
          scratch = grown;
        }
      } else {
        failures.push({ index: i, code: result.code, reason: result.reason });
      }
      encodedEnds[i] = pos;
    }
    const encoded = new ArrayBuffer(pos);
    new Uint8Array(encoded).set(scratch.subarray(0, pos));
    const response: ParseResponse = { id: request.id, encoded, encodedEnds, failures };
    port.postMessage(response, [encoded, encodedEnds.buffer]);
  });

  function parseSafely(body: Buffer): ParseResult {
    try {
      return parser.parse(body);
    } catch (err) {
      return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `parser threw: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

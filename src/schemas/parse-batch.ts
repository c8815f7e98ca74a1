/**
 * The parse worker's batch function (parse-worker.ts runs it on each request; tests and
 * measurements call it in-process): a batch of line bodies → the Avro encoding of every valid
 * record under the configured version, and the failures.
 *
 * Each line first tries the direct encoder (csv-avro-encoder.ts: bytes → Avro bytes, no string,
 * no record object; its faster entry when the whole batch is ASCII); a line it declines takes the CSV parser (csv-parser.ts, the same parser
 * the main thread uses with `worker: false`) and `type.encode` of its record, which also gives
 * every failure code and reason. Both paths write the same bytes for a line both accept.
 *
 * Output layout: record i is encoded[encodedEnds[i-1] (or 0), encodedEnds[i]); a failed line is
 * empty there and listed in `failures`. A parser that throws fails only that line
 * (RXF_PARSE_FAILED). The scratch buffer grows to the largest batch and is reused; each answer
 * is copied out of it into its own ArrayBuffer (transferable).
 */
import { isAscii } from 'node:buffer';
import avro from 'avsc';
import type { ParseResult } from '../core/component.js';
import { ErrorCodes } from '../core/errors.js';
import { compileCsvAvroEncoder } from './csv-avro-encoder.js';
import { createCsvParser } from './csv-parser.js';
import { lineShapes } from './csv-versions.js';

export interface ParseWorkerData {
  readonly schemaName: string;
  readonly schema: object;
  readonly delimiter: string;
  /** The configured version and the earlier ones, so the worker picks versions as the main thread would. */
  readonly version?: number;
  readonly earlier?: readonly { readonly version: number; readonly schema: object }[];
}

export interface ParseFailure {
  readonly index: number;
  readonly code: string;
  readonly reason: string;
}

export interface EncodedLines {
  readonly encoded: ArrayBuffer;
  readonly encodedEnds: Int32Array<ArrayBuffer>;
  readonly failures: ParseFailure[];
}

export interface BatchEncoderOptions {
  /** Try the direct encoder before the parser; default true (false: the parser for every line). */
  readonly direct?: boolean;
}

/** Line i of `bodies` is bodies[ends[i-1] (or 0), ends[i]). */
export type BatchEncoder = (bodies: Buffer, ends: Int32Array) => EncodedLines;

export function createBatchEncoder(data: ParseWorkerData, options: BatchEncoderOptions = {}): BatchEncoder {
  const type = avro.Type.forSchema(data.schema as avro.Schema, { registry: {} });
  const earlier = (data.earlier ?? []).map((e) => ({
    name: data.schemaName,
    version: e.version,
    schema: e.schema,
    type: avro.Type.forSchema(e.schema as avro.Schema, { registry: {} }),
  }));
  const schemaRef = {
    name: data.schemaName,
    type,
    schema: data.schema,
    ...(data.version === undefined ? {} : { version: data.version }),
    earlier,
  };
  const parser = createCsvParser(schemaRef, { delimiter: data.delimiter, worker: false });
  const direct = options.direct === false ? undefined : compileCsvAvroEncoder(lineShapes(schemaRef, true), data.delimiter);
  const slack = direct?.slack ?? 0;
  let scratch = Buffer.allocUnsafeSlow(1 << 20);

  /** Replaces scratch by one of at least `minLength` bytes, keeping its first `pos`. */
  function grow(pos: number, minLength: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, minLength + 1024));
    scratch.copy(grown, 0, 0, pos);
    scratch = grown;
  }

  function parseSafely(body: Buffer): ParseResult {
    try {
      return parser.parse(body);
    } catch (err) {
      return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `parser threw: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  return (bodies, ends) => {
    const encodedEnds = new Int32Array(ends.length);
    const failures: ParseFailure[] = [];
    let pos = 0;
    let start = 0;
    // One native check for the batch lets each line skip its own (the usual case).
    const ascii = direct !== undefined && isAscii(bodies);
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i] as number;
      if (direct !== undefined) {
        const room = pos + (end - start) + slack;
        if (room > scratch.length) grow(pos, room);
        const next = ascii ? direct.encodeAscii(bodies, start, end, scratch, pos) : direct.encode(bodies, start, end, scratch, pos);
        if (next >= 0) {
          encodedEnds[i] = pos = next;
          start = end;
          continue;
        }
      }
      const result = parseSafely(bodies.subarray(start, end));
      start = end;
      if (result.ok) {
        for (;;) {
          const next = type.encode(result.record, scratch, pos);
          if (next >= 0) {
            pos = next;
            break;
          }
          grow(pos, scratch.length - next);
        }
      } else {
        failures.push({ index: i, code: result.code, reason: result.reason });
      }
      encodedEnds[i] = pos;
    }
    const encoded = new ArrayBuffer(pos);
    new Uint8Array(encoded).set(scratch.subarray(0, pos));
    return { encoded, encodedEnds, failures };
  };
}

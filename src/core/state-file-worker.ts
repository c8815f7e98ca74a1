/**
 * Worker-thread entry of the state-file writer (state-file-writer.ts starts it): carries out one
 * durable replace per request (state-file-replace.ts) with synchronous calls, so a save costs
 * the main thread one message round trip instead of one event-loop turn per step.
 *
 * Protocol (one message in, one out, in order):
 *   in:  { id, dir, file, body }
 *   out: { id }                                                   the new file is durable
 *        { id, error: { message, code?, errno?, syscall?, path? } }  the step that failed
 */
import { parentPort } from 'node:worker_threads';
import { replaceStateFileSync, type StateFileJob } from './state-file-replace.js';

export interface StateFileRequest extends StateFileJob {
  readonly id: number;
}

export interface StateFileError {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

export interface StateFileResponse {
  readonly id: number;
  readonly error?: StateFileError;
}

const port = parentPort;
if (port) {
  port.on('message', (request: StateFileRequest) => {
    let response: StateFileResponse;
    try {
      replaceStateFileSync(request);
      response = { id: request.id };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      response = {
        id: request.id,
        error: {
          message: e.message ?? String(err),
          ...(e.code === undefined ? {} : { code: e.code }),
          ...(e.errno === undefined ? {} : { errno: e.errno }),
          ...(e.syscall === undefined ? {} : { syscall: e.syscall }),
          ...(e.path === undefined ? {} : { path: e.path }),
        },
      };
    }
    port.postMessage(response);
  });
}

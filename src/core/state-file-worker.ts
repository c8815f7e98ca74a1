/**
 * Worker-thread entry of the state-file writer (state-file-writer.ts starts it): writes one
 * checkpoint file per request with synchronous calls, so the whole durable replace costs the main
 * thread one message round trip instead of one event-loop turn per step.
 *
 * Protocol (one message in, one out, in order):
 *   in:  { id, dir, file, body, makeDir }   body is the file's text (UTF-8)
 *   out: { id }                             the new file is durable under `file`
 *        { id, error: { message, code?, errno?, syscall?, path? } }
 * Steps, as CheckpointStore's own: mkdir -p dir (when asked), write `<file>.tmp`, fsync it,
 * rename over `file`, fsync the directory (EISDIR/EINVAL/EPERM ignored: not supported there).
 * A failure stops at its step and answers the error; the old file is then still whole.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface StateFileRequest {
  readonly id: number;
  readonly dir: string;
  readonly file: string;
  readonly body: string;
  readonly makeDir: boolean;
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

/** The synchronous replace (exported for the writer's in-thread fallback tests). */
export function replaceStateFileSync(request: Omit<StateFileRequest, 'id'>): void {
  if (request.makeDir) mkdirSync(request.dir, { recursive: true });
  const tmp = `${request.file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const data = Buffer.from(request.body, 'utf8');
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, request.file);
  syncDirSync(request.dir);
}

function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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

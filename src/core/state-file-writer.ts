/**
 * Durable replace of a checkpoint file (state-file-replace.ts), done on one worker thread shared
 * by every CheckpointStore of the process.
 *
 * Why a thread: done with async fs calls the replace is 6–8 steps, each waiting for a turn of a
 * busy event loop (~1.5 ms each at full load); a sink saves its state once per batch, so those
 * turns, not the disk, bounded its batches per second. On the worker it is synchronous, and the
 * main thread pays one message round trip.
 *
 * Invariants:
 * - Requests are carried out one at a time in the order made, each answered once.
 * - The worker is referenced only while a request is pending: it never keeps the process alive.
 * - If the worker cannot start (script missing) or dies, every pending and later request runs on
 *   this thread, the same synchronous steps (the event loop waits for their fsyncs): slower,
 *   never lost.
 *
 * Failure modes: a failed step rejects with an Error carrying the errno fields (code, errno,
 * syscall, path) so callers classify it as they would an fs error; the old file stays whole.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { replaceStateFileSync, type StateFileJob } from './state-file-replace.js';
import type { StateFileError, StateFileRequest, StateFileResponse } from './state-file-worker.js';

interface Pending {
  readonly job: StateFileJob;
  resolve(): void;
  reject(err: Error): void;
}

class StateFileWriter {
  private worker: Worker | undefined;
  private usable = true;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  replace(job: StateFileJob): Promise<void> {
    const worker = this.usable ? this.startedWorker() : undefined;
    if (!worker) return replaceHere(job);
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { job, resolve, reject });
      worker.postMessage({ id, ...job } satisfies StateFileRequest);
    });
  }

  private startedWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    const script = workerScript();
    if (!script) {
      this.usable = false;
      return undefined;
    }
    const worker = new Worker(script);
    worker.unref();
    worker.on('message', (response: StateFileResponse) => this.answer(response));
    worker.on('error', () => this.abandon(worker));
    worker.on('exit', () => this.abandon(worker));
    this.worker = worker;
    return worker;
  }

  private answer(response: StateFileResponse): void {
    const waiting = this.pending.get(response.id);
    if (!waiting) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (response.error) waiting.reject(errnoError(response.error));
    else waiting.resolve();
  }

  /** The worker is gone: what it had not answered runs here, and so does everything after. */
  private abandon(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.usable = false;
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const waiting of left) replaceHere(waiting.job).then(waiting.resolve, waiting.reject);
  }
}

function workerScript(): URL | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/core/state-file-worker.js', here) : new URL('./state-file-worker.js', here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function errnoError(error: StateFileError): Error {
  const err = new Error(error.message) as NodeJS.ErrnoException;
  if (error.code !== undefined) err.code = error.code;
  if (error.errno !== undefined) err.errno = error.errno;
  if (error.syscall !== undefined) err.syscall = error.syscall;
  if (error.path !== undefined) err.path = error.path;
  return err;
}

/** The same steps on this thread (no worker), answered as a promise like the worker's. */
function replaceHere(job: StateFileJob): Promise<void> {
  try {
    replaceStateFileSync(job);
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
}

let shared: StateFileWriter | undefined;

/** Replaces `job.file` durably with `job.body` (see module header). */
export function replaceStateFile(job: StateFileJob): Promise<void> {
  shared ??= new StateFileWriter();
  return shared.replace(job);
}

/**
 * Reads one spool file from a start offset into batches of lines, demand-driven.
 *
 * Invariants:
 * - A chunk is read only after every full batch of the previous chunk was admitted (`admit`
 *   resolved true), so at most one chunk (readChunkBytes) of lines waits in memory while the
 *   flow gate is full: no read while a batch waits.
 * - Each chunk is a fresh buffer: line bodies are views into it (no copy per line), so it must
 *   never be reused.
 * - At EOF the unterminated last line, if any, is emitted too (a spool file is complete), after
 *   which the caller seals the file's progress.
 * - An admitted batch's line objects go back to the splitter for reuse: admission copies what it
 *   needs (`admit` must not keep them).
 * - A spool file must not change while read: its size and mtime are compared with the values
 *   seen at open after every chunk and once more after the last batch. A change (or a short read
 *   before the expected size) answers `changed`; the lines already admitted stay delivered.
 *
 * - The reader yields to the event loop after each admitted batch: while credit is free an admit
 *   resolves at once, so without a yield a whole chunk (~10 k lines through the interceptors and
 *   into the parser) would run as one task, and every sink's I/O completion would wait behind it.
 *
 * Failure modes: a read error answers `unreadable` with the errno text; `admit` answering false
 * (stop requested, gate closed) answers `stopped`, leaving the rest of the file for a restart.
 */
import type { FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LineSplitter, type SplitLine } from '../line-splitter.js';

export interface SpoolReadJob {
  readonly fh: FileHandle;
  /** Size and mtime seen when the file was opened (the file must keep them). */
  readonly size: number;
  readonly mtimeMs: number;
  readonly startOffset: number;
  readonly batchSize: number;
  readonly maxLineBytes: number;
  readonly readChunkBytes: number;
  /** Admits and emits one batch; false means stop reading. Must not keep the line objects. */
  admit(lines: SplitLine[]): Promise<boolean>;
}

export type SpoolReadOutcome =
  | { readonly kind: 'eof' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'changed'; readonly reason: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

const STOPPED: SpoolReadOutcome = { kind: 'stopped' };
const EOF: SpoolReadOutcome = { kind: 'eof' };

export async function readSpoolFile(job: SpoolReadJob): Promise<SpoolReadOutcome> {
  const splitter = new LineSplitter({ startOffset: job.startOffset, maxLineBytes: job.maxLineBytes });
  let pending: SplitLine[] = [];
  let pos = job.startOffset;

  while (pos < job.size) {
    const want = Math.min(job.readChunkBytes, job.size - pos);
    const chunk = Buffer.allocUnsafe(want);
    let got: number;
    try {
      got = (await job.fh.read(chunk, 0, want, pos)).bytesRead;
    } catch (err) {
      return { kind: 'unreadable', reason: (err as Error).message };
    }
    if (got === 0) return { kind: 'changed', reason: `file shrank below ${job.size} bytes while being read (EOF at ${pos})` };
    pos += got;
    const change = await detectChange(job);
    if (change) return change;

    const lines = splitter.push(got === want ? chunk : chunk.subarray(0, got));
    if (pending.length === 0) pending = lines;
    else for (const line of lines) pending.push(line);
    const sent = await sendBatches(pending, job, splitter, false);
    if (sent < 0) return STOPPED;
    if (sent > 0) pending = pending.slice(sent);
  }

  const last = splitter.takePartial();
  if (last) pending.push(last);
  if ((await sendBatches(pending, job, splitter, true)) < 0) return STOPPED;
  // Checked again after the last batch: the wait for credit may have been long.
  return (await detectChange(job)) ?? EOF;
}

/**
 * Admits every full batch at the head of `lines` (and the partial one after them when `all`),
 * handing the admitted line objects back to the splitter and yielding after each batch; answers
 * how many lines went, or -1 on stop.
 */
async function sendBatches(lines: SplitLine[], job: SpoolReadJob, splitter: LineSplitter, all: boolean): Promise<number> {
  let from = 0;
  while (lines.length - from >= job.batchSize || (all && from < lines.length)) {
    const batch = from === 0 && lines.length === job.batchSize ? lines : lines.slice(from, from + job.batchSize);
    if (!(await job.admit(batch))) return -1;
    splitter.recycle(batch);
    from += batch.length;
    await nextTurn();
  }
  return from;
}

async function detectChange(job: SpoolReadJob): Promise<SpoolReadOutcome | undefined> {
  let now: { size: number; mtimeMs: number };
  try {
    now = await job.fh.stat();
  } catch (err) {
    return { kind: 'unreadable', reason: (err as Error).message };
  }
  if (now.size !== job.size) return { kind: 'changed', reason: `size changed from ${job.size} to ${now.size} bytes while being read` };
  if (now.mtimeMs !== job.mtimeMs) return { kind: 'changed', reason: 'modified (mtime changed) while being read' };
  return undefined;
}

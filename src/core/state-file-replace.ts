/**
 * The durable replace of a checkpoint file, as synchronous steps: mkdir -p the folder, write
 * `<file>.tmp`, fsync it, rename it over `file`, fsync the folder (EISDIR/EINVAL/EPERM ignored:
 * not supported there). After a crash the file holds the old or the new text, never a mix.
 *
 * Run on the state-file worker thread (state-file-worker.ts), or on the main thread when that
 * worker is not available (state-file-writer.ts). Failure modes: a failed step throws the fs
 * error (with its errno fields) and stops there; the old file is then still whole.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';

export interface StateFileJob {
  readonly dir: string;
  readonly file: string;
  /** The file's text (UTF-8). */
  readonly body: string;
}

export function replaceStateFileSync(job: StateFileJob): void {
  mkdirSync(job.dir, { recursive: true });
  const tmp = `${job.file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const data = Buffer.from(job.body, 'utf8');
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, job.file);
  let dirFd: number | undefined;
  try {
    dirFd = openSync(job.dir, 'r');
    fsyncSync(dirFd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    if (dirFd !== undefined) closeSync(dirFd);
  }
}

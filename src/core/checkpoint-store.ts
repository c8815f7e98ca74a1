/**
 * Durable JSON state for one component (a source's offsets, a sink's open files).
 *
 * On-disk format: `<dir>/<name>.json`, a JSON object `{ "version": 1, "savedAt": ISO, "state": … }`.
 * Writes go to `<name>.json.tmp`, are fsynced, renamed over the old file, and the directory is
 * fsynced, so after a crash the file holds either the previous or the new state, never a mix.
 * The steps run on a shared worker thread (state-file-writer.ts): one round trip per save.
 *
 * Failure modes:
 * - An empty, truncated or non-JSON file (a crash on a filesystem without rename atomicity, or a
 *   hand edit) is moved aside to `<name>.json.corrupt-<time>`, logged and counted, and loading
 *   answers `undefined` (start fresh): never a crash loop.
 * - A failed write (ENOSPC, EIO) rejects `save`; the state on disk stays the previous one, so
 *   the checkpoint never claims more than was written. The caller decides whether to pause.
 * - Saves coalesce: while one write is in flight, later states replace each other and only the
 *   newest is written next. `flush` waits until the newest state is on disk. A state whose write
 *   failed stays pending (unless a newer one replaced it) and is retried by the next save or flush.
 */
import { type FileHandle, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { asRxfError, type RxfError } from './errors.js';
import { replaceStateFile } from './state-file-writer.js';

export interface CheckpointStoreEvents {
  onCorrupt?(file: string, reason: string): void;
  onWrite?(): void;
  onWriteError?(err: RxfError): void;
}

export class CheckpointStore<T> {
  readonly file: string;
  private pendingState: { value: T } | undefined;
  private writing: Promise<void> | undefined;
  private lastError: RxfError | undefined;

  constructor(
    private readonly dir: string,
    name: string,
    private readonly events: CheckpointStoreEvents = {},
  ) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`checkpoint name "${name}" must be [A-Za-z0-9_.-]+`);
    this.file = join(dir, `${name}.json`);
  }

  async load(): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw asRxfError(err);
    }
    try {
      const parsed = JSON.parse(text) as { version?: number; state?: T };
      if (parsed === null || typeof parsed !== 'object' || parsed.version !== 1 || !('state' in parsed)) {
        throw new Error('not a version-1 checkpoint object');
      }
      return parsed.state as T;
    } catch (err) {
      const reason = text.length === 0 ? 'empty file' : (err as Error).message;
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.events.onCorrupt?.(this.file, reason);
      return undefined;
    }
  }

  /** Schedules a write of `state`; resolves when that state (or a newer one) is durable. */
  save(state: T): Promise<void> {
    this.pendingState = { value: state };
    if (!this.writing) this.writing = this.drain();
    return this.writing;
  }

  /** Resolves when every scheduled state is on disk; rejects with the last write error. */
  async flush(): Promise<void> {
    if (!this.writing && this.pendingState) this.writing = this.drain();
    while (this.writing) await this.writing;
    if (this.lastError) throw this.lastError;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pendingState) {
        const { value } = this.pendingState;
        this.pendingState = undefined;
        try {
          await this.writeNow(value);
          this.lastError = undefined;
          this.events.onWrite?.();
        } catch (err) {
          const e = asRxfError(err);
          // Keep the failed state (unless a newer one is waiting) so the next save or flush writes
          // it: dropping it would leave the disk behind for good once changes stop.
          this.pendingState ??= { value };
          this.lastError = e;
          this.events.onWriteError?.(e);
          throw e;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private writeNow(state: T): Promise<void> {
    const body = JSON.stringify({ version: 1, savedAt: new Date().toISOString(), state });
    return replaceStateFile({ dir: this.dir, file: this.file, body });
  }
}

/** fsync a directory so a rename in it survives a power loss; ignored where unsupported. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await fh?.close();
  }
}

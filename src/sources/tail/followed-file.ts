/**
 * One file being followed: an open handle, the byte offset read so far, the line splitter, the
 * lines split but not yet emitted, and the FileProgress that turns acks into a committed offset.
 *
 * Invariants:
 * - Bytes are read with explicit offsets (pread), never decoded before splitting; `readOffset`
 *   only moves after a successful read, so a failed read is simply retried.
 * - The fileKey (event ids) is frozen when the first line is emitted (or restored from the
 *   checkpoint) and never changes afterwards, even if the fingerprint grows or the handle is
 *   rebound to a copytruncate copy: a replay yields the same ids.
 * - Memory: a read chunk is handed to the splitter (bodies are slices of it). A small read is
 *   copied to an exact-size buffer so a 40-byte append never pins a 64 KiB chunk.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Headers } from '../../core/event.js';
import { FileProgress, type ProgressHooks } from '../../core/progress.js';
import type { LineOrigin } from '../emit.js';
import { LineSplitter, type SplitLine } from '../line-splitter.js';
import type { TailFileEntry } from './checkpoint.js';
import { type FileIdentity, identityKey } from './identity.js';

export class ChunkReader {
  private scratch: Buffer;

  constructor(private readonly size: number) {
    this.scratch = Buffer.allocUnsafe(size);
  }

  /** Reads up to one chunk at `offset`; an empty buffer means end of file. */
  async readAt(fh: FileHandle, offset: number): Promise<Buffer> {
    const { bytesRead } = await fh.read(this.scratch, 0, this.size, offset);
    if (bytesRead === 0) return this.scratch.subarray(0, 0);
    if (bytesRead * 2 < this.size) return Buffer.from(this.scratch.subarray(0, bytesRead));
    // The chunk now belongs to the emitted line bodies; take a fresh scratch for the next read.
    const chunk = this.scratch.subarray(0, bytesRead);
    this.scratch = Buffer.allocUnsafe(this.size);
    return chunk;
  }
}

export interface FollowedFileInit {
  /** The name the lines were read under (event position and `file` header). */
  readonly path: string;
  readonly fh: FileHandle;
  readonly identity: FileIdentity;
  readonly startOffset: number;
  /** fileKey restored from a checkpoint. */
  readonly key?: string;
  readonly maxLineBytes: number;
  readonly hooks: ProgressHooks;
}

export class FollowedFile {
  readonly path: string;
  /** Path of the file the handle reads (differs from `path` after a copytruncate rebind). */
  handlePath: string;
  identity: FileIdentity;
  readOffset: number;
  readonly progress: FileProgress;
  /** Set when no more bytes can be read (truncated without a copy): draining reads nothing. */
  exhausted = false;
  private fh: FileHandle | undefined;
  private readonly splitter: LineSplitter;
  private pending: SplitLine[] = [];
  private frozenKey: string | undefined;
  private cachedOrigin: LineOrigin | undefined;

  constructor(init: FollowedFileInit) {
    this.path = init.path;
    this.handlePath = init.path;
    this.fh = init.fh;
    this.identity = init.identity;
    this.readOffset = init.startOffset;
    this.frozenKey = init.key;
    this.splitter = new LineSplitter({ startOffset: init.startOffset, maxLineBytes: init.maxLineBytes });
    this.progress = new FileProgress(init.startOffset, init.hooks);
  }

  get key(): string {
    return this.frozenKey ?? identityKey(this.identity);
  }

  /** The fileKey is fixed (first line emitted, or restored from a checkpoint). */
  get keyFrozen(): boolean {
    return this.frozenKey !== undefined;
  }

  get handle(): FileHandle | undefined {
    return this.fh;
  }

  get pendingLines(): number {
    return this.pending.length;
  }

  /** Reads one chunk into the splitter; answers the number of bytes read (0 at end of file). */
  async read(reader: ChunkReader): Promise<number> {
    const chunk = await this.readChunk(reader);
    this.accept(chunk);
    return chunk.length;
  }

  /** Reads the next chunk without taking it yet (the caller may first verify the file). */
  async readChunk(reader: ChunkReader): Promise<Buffer> {
    if (!this.fh || this.exhausted) return Buffer.alloc(0);
    return reader.readAt(this.fh, this.readOffset);
  }

  /** Takes a chunk read at `readOffset` into the splitter. */
  accept(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.readOffset += chunk.length;
    const lines = this.splitter.push(chunk);
    for (const l of lines) this.pending.push(l);
  }

  /** No more bytes will come: the held unterminated last line becomes a line. */
  releasePartial(): void {
    const partial = this.splitter.takePartial();
    if (partial) this.pending.push(partial);
  }

  /** Takes up to `max` split lines for one batch. */
  takeLines(max: number): SplitLine[] {
    if (this.pending.length <= max) {
      const all = this.pending;
      this.pending = [];
      return all;
    }
    return this.pending.splice(0, max);
  }

  /** The origin for emitted events; freezes the fileKey on first use. */
  origin(sourceId: string, headers: Headers | undefined): LineOrigin {
    if (!this.cachedOrigin) {
      this.frozenKey ??= identityKey(this.identity);
      this.cachedOrigin = { sourceId, fileKey: this.frozenKey, path: this.path, ...(headers ? { headers } : {}) };
    }
    return this.cachedOrigin;
  }

  /** Continue reading the same logical file from another handle (its copytruncate copy). */
  async rebind(fh: FileHandle, path: string, dev: string, ino: string): Promise<void> {
    await this.closeHandle();
    this.fh = fh;
    this.handlePath = path;
    this.identity = { ...this.identity, dev, ino };
  }

  entry(): TailFileEntry {
    const { dev, ino, fpLen, fp } = this.identity;
    return { key: this.key, path: this.handlePath, dev, ino, fpLen, fp, offset: this.progress.committedOffset };
  }

  async closeHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}

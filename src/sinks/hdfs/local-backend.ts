/**
 * Local-filesystem backend: the "HDFS layout" under a root folder that stands for HDFS '/'.
 *
 * Durability: `create` fsyncs the new file's directory (and any directories it had to create),
 * `sync` is fdatasync (the size is part of it), `truncate` (by path or handle) is followed by
 * fdatasync so a cut file is never published longer, `rename` fsyncs the target directory. Paths are
 * normalized as absolute POSIX paths before being joined to the root, so '..' in a rendered
 * header cannot leave the root.
 *
 * Failure modes: every fs error propagates with its errno (ENOSPC, EIO, ENOTDIR, EACCES...) for
 * the sink to classify; a short write is continued until the buffer is written or an error comes.
 */
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { syncDir } from '../../core/checkpoint-store.js';
import type { HdfsBackend, OutputFile } from './backend.js';

class LocalOutputFile implements OutputFile {
  private position = 0;

  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  async append(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.fh.write(data, offset, data.length - offset, this.position);
      offset += bytesWritten;
      this.position += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.fh.datasync();
  }

  async truncate(length: number): Promise<void> {
    await this.fh.truncate(length);
    this.position = length;
    // Only after a failed write (rare): make the cut durable before a rename can publish the file.
    await this.fh.datasync();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class LocalBackend implements HdfsBackend {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = `local:${this.root}`;
  }

  /** The local path of an HDFS-style path (always inside the root). */
  local(path: string): string {
    return join(this.root, posix.normalize(`/${path}`));
  }

  async mkdirs(dir: string): Promise<void> {
    const target = this.local(dir);
    const first = await mkdir(target, { recursive: true });
    if (first === undefined) return;
    // New directories are durable only once each parent's entry is synced, top-down.
    const chain: string[] = [];
    for (let d = target; d.length >= first.length; d = dirname(d)) chain.unshift(d);
    await syncDir(dirname(first));
    for (const d of chain) await syncDir(d);
  }

  async create(path: string): Promise<OutputFile> {
    const local = this.local(path);
    const fh = await open(local, 'wx');
    try {
      await syncDir(dirname(local));
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    return new LocalOutputFile(path, fh);
  }

  async size(path: string): Promise<number | undefined> {
    try {
      return (await stat(this.local(path))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await readdir(this.local(dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async truncate(path: string, length: number): Promise<void> {
    // Durable before the caller renames: a published file must never regrow unacknowledged bytes
    // after a power cut (the rename's directory fsync does not cover the file's size everywhere).
    const fh = await open(this.local(path), 'r+');
    try {
      await fh.truncate(length);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const target = this.local(to);
    await rename(this.local(from), target);
    await syncDir(dirname(target));
  }

  async delete(path: string): Promise<void> {
    try {
      await unlink(this.local(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * Finding a followed file again after it left its name: by inode (renamed away) or by content
 * (a copytruncate copy).
 *
 * Invariants: a match is always confirmed on an open handle (inode and content prefix checked on
 * the handle, not on the path), so a file replaced between the listing and the open is never
 * mistaken for the one we want. Missing or unreadable entries are skipped, never fatal; but a
 * transient error (out of file descriptors, EIO, …) is thrown, so the caller retries on the next
 * poll instead of concluding that a rotated file is gone and dropping its unacknowledged lines.
 */

import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPrefix, type FileIdentity, type InodeStat, sameInode, statHandle } from './identity.js';

export interface LocatedFile {
  readonly path: string;
  readonly fh: FileHandle;
  readonly stat: InodeStat;
}

/** Opens `path` if it is `want` (same inode, same content prefix) and holds at least `minSize` bytes. */
export async function openIfSame(
  path: string,
  want: FileIdentity,
  minSize = 0,
  sameInodeRequired = true,
): Promise<LocatedFile | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const st = await statHandle(fh);
    const inodeOk = !sameInodeRequired || sameInode(st, want);
    if (st.isFile && inodeOk && st.size >= minSize && (await checkPrefix(fh, want, st.size))) {
      const found = { path, fh, stat: st };
      fh = undefined;
      return found;
    }
    return undefined;
  } catch (err) {
    if (isTransient(err)) throw err;
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** A regular file in the folder, as listed (by path; confirm on a handle before trusting it). */
export interface ListedFile {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Stats of the regular files in `dir` whose names `accept` takes. */
export async function listStats(dir: string, accept: (name: string) => boolean): Promise<ListedFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isTransient(err)) throw err;
    return [];
  }
  const out: ListedFile[] = [];
  for (const name of names) {
    if (!accept(name)) continue;
    const path = join(dir, name);
    try {
      const st = await stat(path, { bigint: true });
      if (!st.isFile()) continue;
      out.push({ path, dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size), mtimeMs: Number(st.mtimeMs) });
    } catch (err) {
      if (isTransient(err)) throw err;
      // Vanished or unreadable between readdir and stat: not a candidate.
    }
  }
  return out;
}

/** Looks in `dir` for the file `want` under another name (rename rotation). */
export async function findRenamed(dir: string, want: FileIdentity, minSize: number, skipPath?: string): Promise<LocatedFile | undefined> {
  const candidates = await listStats(dir, () => true);
  for (const c of candidates) {
    if (c.path === skipPath || !sameInode(c, want)) continue;
    const found = await openIfSame(c.path, want, minSize);
    if (found) return found;
  }
  return undefined;
}

/**
 * Looks for a copy of `want` (copytruncate): a sibling whose name starts with `baseName`, on another
 * inode, whose content starts with the fingerprinted bytes and holds at least `minSize` bytes.
 * The most recently modified match wins (the newest copy holds the latest bytes).
 */
export async function findCopy(dir: string, baseName: string, want: FileIdentity, minSize: number): Promise<LocatedFile | undefined> {
  const candidates = await listStats(dir, (name) => name !== baseName && name.startsWith(baseName));
  candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const c of candidates) {
    if (sameInode(c, want) || c.size < minSize) continue;
    const found = await openIfSame(c.path, want, minSize, false);
    if (found) return found;
  }
  return undefined;
}

const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO', 'ENOMEM', 'EINTR']);

/** Errors that say "not now" rather than "not there". */
export function isTransient(err: unknown): boolean {
  return TRANSIENT.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

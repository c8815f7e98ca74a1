/**
 * Unseen rotations: files that held the followed name (or a copy of it) only between two of our
 * looks, so we never read them. Example: the follower is held (SIGSTOP, a long GC, a full buffer)
 * while the log is renamed to `.1`, a new log is written and then copytruncated to `.c2`; when the
 * follower looks again the name points at a new inode that was truncated before we ever saw it,
 * and the lines in `.c2` exist nowhere else.
 *
 * Why the mtime window is sound: at our last look the name was the file we follow, so every byte
 * we have not seen that is not in that file was written *after* that look, into whatever held the
 * name next; such a file (or its copy) has an mtime at or after the look. Files last modified
 * before the look cannot hold unseen bytes. LOOK_SLACK_MS absorbs coarse filesystem timestamps
 * (kernel tick, 1 s granularity on some filesystems) against our millisecond clock.
 *
 * A candidate is a sibling: same folder, name starting with the followed base name (not the name
 * itself), a regular non-empty file, not compressed (a compressed file holds no lines we can read
 * by byte offset; `delaycompress` keeps the newest rotation plain), not on the inode now under the
 * name, modified since the look, and not a file we know (an identity we follow, drain, or drained
 * lately: same dev+inode *and* the same content prefix, so a reused inode is not mistaken for it).
 *
 * Bounded to MAX_UNSEEN files, the newest (closest to the name); more than that means something
 * else writes base-prefixed files in the folder, and the rest are reported, not read.
 * Failure modes: vanished or unreadable candidates are skipped; transient errors (EMFILE, EIO, …)
 * are thrown after closing every handle opened here, so the caller retries on its next poll.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { type FileIdentity, readIdentity, sameInode } from './identity.js';
import { isTransient, type ListedFile, type LocatedFile, listStats, openIfSame } from './siblings.js';

/** Most unseen files picked up at one rotation. */
export const MAX_UNSEEN = 4;

/** How much older than our last look an unseen file's mtime may read (timestamp granularity). */
export const LOOK_SLACK_MS = 2000;

const COMPRESSED_SUFFIXES = ['.gz', '.bz2', '.xz', '.zst', '.zip', '.lz4', '.Z'];

export interface UnseenFile {
  readonly found: LocatedFile;
  readonly identity: FileIdentity;
  readonly mtimeMs: number;
}

export interface UnseenSearch {
  readonly dir: string;
  readonly baseName: string;
  /** When the name was last seen to be the file we followed (Date.now() taken before that look). */
  readonly lookedAtMs: number;
  /** The inode now under the name (read after these files). */
  readonly named: { readonly dev: string; readonly ino: string };
  /** Files followed, draining, or drained lately. */
  readonly known: readonly FileIdentity[];
}

export interface UnseenResult {
  /** Oldest mtime first: the order to read them in. The caller owns the handles. */
  readonly files: UnseenFile[];
  /** Candidates past the bound, not read. */
  readonly skipped: string[];
}

export function isCompressedName(name: string): boolean {
  return COMPRESSED_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

export async function findUnseenRotations(search: UnseenSearch): Promise<UnseenResult> {
  const { baseName } = search;
  const since = search.lookedAtMs - LOOK_SLACK_MS;
  const listed = await listStats(search.dir, (name) => name !== baseName && name.startsWith(baseName) && !isCompressedName(name));
  const fresh = listed.filter((c) => c.size > 0 && c.mtimeMs >= since && !sameInode(c, search.named));
  const unknown: ListedFile[] = [];
  for (const c of fresh) if (!(await isKnown(c, search.known))) unknown.push(c);
  unknown.sort((a, b) => a.mtimeMs - b.mtimeMs);
  const kept = unknown.slice(-MAX_UNSEEN);
  const skipped = unknown.slice(0, unknown.length - kept.length).map((c) => c.path);
  const files: UnseenFile[] = [];
  try {
    for (const c of kept) {
      const file = await openListed(c);
      if (file) files.push(file);
    }
  } catch (err) {
    for (const f of files) await f.found.fh.close().catch(() => undefined);
    throw err;
  }
  return { files, skipped };
}

/** Known = same inode as a known identity and still starting with its fingerprinted bytes. */
async function isKnown(c: ListedFile, known: readonly FileIdentity[]): Promise<boolean> {
  for (const id of known) {
    if (!sameInode(c, id)) continue;
    const same = await openIfSame(c.path, id);
    if (same) {
      await same.fh.close().catch(() => undefined);
      return true;
    }
  }
  return false;
}

/** Opens a listed file, confirming on the handle that it is still the listed regular file. */
async function openListed(c: ListedFile): Promise<UnseenFile | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(c.path, 'r');
    const { identity, stat: st } = await readIdentity(fh);
    if (!st.isFile || !sameInode(st, c)) return undefined;
    const file = { found: { path: c.path, fh, stat: st }, identity, mtimeMs: c.mtimeMs };
    fh = undefined;
    return file;
  } catch (err) {
    if (isTransient(err)) throw err;
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

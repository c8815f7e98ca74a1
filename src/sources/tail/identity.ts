/**
 * File identity for the tail follower: device + inode + a short content fingerprint.
 *
 * Why the fingerprint: an inode number is reused once a file is deleted, so a file re-created
 * under the same name may get the old number while we were down. The fingerprint is a hash of the
 * first `fpLen` bytes (at most FINGERPRINT_BYTES) with `fpLen` itself hashed in, so an empty or
 * short prefix never collides with a longer one.
 *
 * Invariants:
 * - `fpLen` only grows (see `checkPrefix`): a file first seen short gets a stronger fingerprint
 *   once it has more bytes, as long as the old prefix still matches (else it was rewritten).
 * - dev and ino are kept as decimal strings (bigint stats), so 64-bit inode numbers stay exact.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, stat } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
  /** Number of leading bytes the fingerprint covers. */
  readonly fpLen: number;
  /** Hex hash of `fpLen` and the first `fpLen` bytes. */
  readonly fp: string;
}

export interface InodeStat {
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly nlink: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
}

export function fingerprint(prefix: Buffer): string {
  return createHash('sha256').update(`${prefix.length}:`).update(prefix).digest('hex').slice(0, 16);
}

/** The fileKey used in event ids: `<dev>-<ino>-<fp>`. */
export function identityKey(id: FileIdentity): string {
  return `${id.dev}-${id.ino}-${id.fp}`;
}

export function sameInode(a: { dev: string; ino: string }, b: { dev: string; ino: string }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export async function statHandle(fh: FileHandle): Promise<InodeStat> {
  const st = await fh.stat({ bigint: true });
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    nlink: Number(st.nlink),
    mtimeMs: Number(st.mtimeMs),
    isFile: st.isFile(),
  };
}

/** Reads up to `length` bytes from offset 0 (fewer if the file is shorter). */
export async function readPrefix(fh: FileHandle, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Identity of an open file, fingerprinting as much of the first FINGERPRINT_BYTES as exists. */
export async function readIdentity(fh: FileHandle): Promise<{ identity: FileIdentity; stat: InodeStat }> {
  const stat = await statHandle(fh);
  const prefix = await readPrefix(fh, Math.min(stat.size, FINGERPRINT_BYTES));
  return { identity: { dev: stat.dev, ino: stat.ino, fpLen: prefix.length, fp: fingerprint(prefix) }, stat };
}

/**
 * Checks that the file still starts with the fingerprinted bytes. Answers `undefined` when it does
 * not (truncated or rewritten), else the identity, with a longer fingerprint if more bytes exist.
 */
export async function checkPrefix(fh: FileHandle, id: FileIdentity, size: number): Promise<FileIdentity | undefined> {
  if (size < id.fpLen) return undefined;
  const prefix = await readPrefix(fh, Math.min(size, FINGERPRINT_BYTES));
  if (prefix.length < id.fpLen) return undefined;
  if (fingerprint(prefix.subarray(0, id.fpLen)) !== id.fp) return undefined;
  if (prefix.length === id.fpLen) return id;
  return { dev: id.dev, ino: id.ino, fpLen: prefix.length, fp: fingerprint(prefix) };
}

/** Stat of a path (following symlinks), or `undefined` when nothing is there. */
export async function statPath(path: string): Promise<InodeStat | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return {
      dev: st.dev.toString(),
      ino: st.ino.toString(),
      size: Number(st.size),
      nlink: Number(st.nlink),
      mtimeMs: Number(st.mtimeMs),
      isFile: st.isFile(),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

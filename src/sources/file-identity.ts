/**
 * File identity shared by the file sources: device + inode + a fingerprint of the first bytes.
 *
 * Why the fingerprint: an inode number is reused once a file is deleted, so a different file may
 * later show up with the old (dev, ino). The fingerprint hashes the first min(size,
 * FINGERPRINT_BYTES) bytes, and how many bytes it covered is kept, so a later check hashes
 * exactly the same range.
 *
 * Fingerprint schemes are part of each source's on-disk checkpoint and of its event ids, so they
 * are frozen per source and chosen by the caller: `sha256LengthTagged` (tail: the byte count is
 * hashed in, so a short prefix never collides with a longer one) and `sha1Plain` (spooldir). Both
 * answer 16 hex digits.
 *
 * Invariants: dev and ino from `inodeStatOf` are decimal strings (bigint stats), so 64-bit inode
 * numbers stay exact; a source that stores numbers converts at its edge.
 * Failure modes: read and stat errors (EISDIR, EIO) propagate; only `statPath` maps ENOENT to
 * `undefined`.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { type FileHandle, stat } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

/** Hashes a file's leading bytes into a fingerprint string. */
export type FingerprintScheme = (prefix: Buffer) => string;

export const sha256LengthTagged: FingerprintScheme = (prefix) =>
  createHash('sha256').update(`${prefix.length}:`).update(prefix).digest('hex').slice(0, 16);

export const sha1Plain: FingerprintScheme = (prefix) => createHash('sha1').update(prefix).digest('hex').slice(0, 16);

/** A fingerprint and the number of leading bytes it covers. */
export interface HeadFingerprint {
  readonly bytes: number;
  readonly hash: string;
}

export interface InodeStat {
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly nlink: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
}

export function inodeStatOf(st: BigIntStats): InodeStat {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    nlink: Number(st.nlink),
    mtimeMs: Number(st.mtimeMs),
    isFile: st.isFile(),
  };
}

export async function statHandle(fh: FileHandle): Promise<InodeStat> {
  return inodeStatOf(await fh.stat({ bigint: true }));
}

/** Stat of a path (following symlinks), or `undefined` when nothing is there. */
export async function statPath(path: string): Promise<InodeStat | undefined> {
  try {
    return inodeStatOf(await stat(path, { bigint: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function sameInode<T>(a: { dev: T; ino: T }, b: { dev: T; ino: T }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
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

/** Fingerprint of as much of the first FINGERPRINT_BYTES of a file of `size` bytes as exists. */
export async function fingerprintHead(fh: FileHandle, size: number, scheme: FingerprintScheme): Promise<HeadFingerprint> {
  const prefix = await readPrefix(fh, Math.min(size, FINGERPRINT_BYTES));
  return { bytes: prefix.length, hash: scheme(prefix) };
}

/**
 * Checks that a file of `size` bytes still starts with the bytes `expected` fingerprinted.
 * Answers `undefined` when it does not (shorter, truncated or rewritten), else the fingerprint
 * to keep: `expected` itself, or with `grow`, one over more bytes when the file has them.
 */
export async function recheckHead(
  fh: FileHandle,
  expected: HeadFingerprint,
  size: number,
  scheme: FingerprintScheme,
  grow: boolean,
): Promise<HeadFingerprint | undefined> {
  if (size < expected.bytes) return undefined;
  const prefix = await readPrefix(fh, grow ? Math.min(size, FINGERPRINT_BYTES) : expected.bytes);
  if (prefix.length < expected.bytes) return undefined;
  if (scheme(prefix.subarray(0, expected.bytes)) !== expected.hash) return undefined;
  if (prefix.length === expected.bytes) return expected;
  return { bytes: prefix.length, hash: scheme(prefix) };
}

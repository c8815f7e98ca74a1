/**
 * Identity of a spool file: device + inode + a fingerprint of its first bytes, in the field
 * names of the spooldir checkpoint (`dev`, `ino` as numbers, `fingerprint`, `fingerprintBytes`).
 * The reading and hashing is the shared src/sources/file-identity.ts; this module maps it to the
 * spooldir's shape and fixes its fingerprint scheme (SHA-1 of the bytes, as checkpoints hold it).
 *
 * Invariants:
 * - The fingerprint covers the first min(256, size) bytes, and how many it covered is kept, so a
 *   later check hashes exactly the same range (an inode reused by a new file after the old one was
 *   deleted has different leading bytes, and so a different identity).
 * - `fileKey` (`dev:ino:fingerprint`) is the stream key in event ids: a file read again after a
 *   restart produces the same ids for the same lines.
 *
 * Failure modes: read errors (EISDIR, EIO) propagate to the caller, which quarantines the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { fingerprintHead, recheckHead, sameInode, sha1Plain } from '../file-identity.js';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** Hex prefix of the SHA-1 of the first `fingerprintBytes` bytes. */
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
}

type SpoolStat = { dev: number; ino: number; size: number };

export function fileKeyOf(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fingerprint}`;
}

/** Reads the identity of an open file whose stat is `st`. */
export async function readIdentity(fh: FileHandle, st: SpoolStat): Promise<FileIdentity> {
  const head = await fingerprintHead(fh, st.size, sha1Plain);
  return { dev: st.dev, ino: st.ino, fingerprint: head.hash, fingerprintBytes: head.bytes };
}

/** True when the open file is the one `expected` describes (same dev, inode and leading bytes). */
export async function hasIdentity(fh: FileHandle, st: SpoolStat, expected: FileIdentity): Promise<boolean> {
  if (!sameInode(st, expected)) return false;
  const head = { bytes: expected.fingerprintBytes, hash: expected.fingerprint };
  return (await recheckHead(fh, head, st.size, sha1Plain, false)) !== undefined;
}

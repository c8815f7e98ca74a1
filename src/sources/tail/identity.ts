/**
 * File identity for the tail follower: device + inode + a short content fingerprint, in the
 * field names of the tail checkpoint (`dev`, `ino`, `fpLen`, `fp`). The reading and hashing is
 * the shared src/sources/file-identity.ts; this module maps it to the tail's shape and fixes
 * the tail's fingerprint scheme (sha256 with the byte count hashed in, as checkpoints hold it).
 *
 * Invariants:
 * - `fpLen` only grows (see `checkPrefix`): a file first seen short gets a stronger fingerprint
 *   once it has more bytes, as long as the old prefix still matches (else it was rewritten).
 * - dev and ino are kept as decimal strings (bigint stats), so 64-bit inode numbers stay exact.
 */
import type { FileHandle } from 'node:fs/promises';
import { fingerprintHead, type HeadFingerprint, type InodeStat, recheckHead, sha256LengthTagged, statHandle } from '../file-identity.js';

export { type InodeStat, sameInode, statHandle, statPath } from '../file-identity.js';

export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
  /** Number of leading bytes the fingerprint covers. */
  readonly fpLen: number;
  /** Hex hash of `fpLen` and the first `fpLen` bytes. */
  readonly fp: string;
}

/** The tail's fingerprint scheme; frozen, since checkpoints and event ids hold its output. */
const fingerprint = sha256LengthTagged;

/** The fileKey used in event ids: `<dev>-<ino>-<fp>`. */
export function identityKey(id: FileIdentity): string {
  return `${id.dev}-${id.ino}-${id.fp}`;
}

/** Identity of an open file, fingerprinting as much of the first FINGERPRINT_BYTES as exists. */
export async function readIdentity(fh: FileHandle): Promise<{ identity: FileIdentity; stat: InodeStat }> {
  const stat = await statHandle(fh);
  const head = await fingerprintHead(fh, stat.size, fingerprint);
  return { identity: withHead(stat, head), stat };
}

/**
 * Checks that the file still starts with the fingerprinted bytes. Answers `undefined` when it does
 * not (truncated or rewritten), else the identity, with a longer fingerprint if more bytes exist.
 */
export async function checkPrefix(fh: FileHandle, id: FileIdentity, size: number): Promise<FileIdentity | undefined> {
  const head = await recheckHead(fh, { bytes: id.fpLen, hash: id.fp }, size, fingerprint, true);
  if (head === undefined) return undefined;
  return head.bytes === id.fpLen ? id : withHead(id, head);
}

function withHead(inode: { dev: string; ino: string }, head: HeadFingerprint): FileIdentity {
  return { dev: inode.dev, ino: inode.ino, fpLen: head.bytes, fp: head.hash };
}

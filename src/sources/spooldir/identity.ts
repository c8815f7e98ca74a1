/**
 * Identity of a spool file: device + inode + a fingerprint of its first bytes.
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
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** Hex prefix of the SHA-1 of the first `fingerprintBytes` bytes. */
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
}

export function fileKeyOf(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fingerprint}`;
}

async function hashHead(fh: FileHandle, bytes: number): Promise<{ fingerprint: string; bytes: number }> {
  const buf = Buffer.alloc(bytes);
  let got = 0;
  while (got < bytes) {
    const { bytesRead } = await fh.read(buf, got, bytes - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const fingerprint = createHash('sha1').update(buf.subarray(0, got)).digest('hex').slice(0, 16);
  return { fingerprint, bytes: got };
}

/** Reads the identity of an open file whose stat is `st`. */
export async function readIdentity(fh: FileHandle, st: { dev: number; ino: number; size: number }): Promise<FileIdentity> {
  const head = await hashHead(fh, Math.min(FINGERPRINT_BYTES, st.size));
  return { dev: st.dev, ino: st.ino, fingerprint: head.fingerprint, fingerprintBytes: head.bytes };
}

/** True when the open file is the one `expected` describes (same dev, inode and leading bytes). */
export async function hasIdentity(
  fh: FileHandle,
  st: { dev: number; ino: number; size: number },
  expected: FileIdentity,
): Promise<boolean> {
  if (st.dev !== expected.dev || st.ino !== expected.ino || st.size < expected.fingerprintBytes) return false;
  const head = await hashHead(fh, expected.fingerprintBytes);
  return head.bytes === expected.fingerprintBytes && head.fingerprint === expected.fingerprint;
}

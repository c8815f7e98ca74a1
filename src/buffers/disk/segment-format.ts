/**
 * The disk buffer's on-disk format: segment files of checksummed frames.
 *
 * On-disk format:
 * - A buffer folder holds segment files `<seq>.wal` (seq: 16 decimal digits, increasing; the
 *   numeric order is the append order) and `positions.json` (per-sink read positions, see
 *   positions.ts).
 * - A segment starts with the 8-byte magic `RXFWAL1\n`, then frames back to back:
 *   `u32 LE payload length | u32 LE CRC-32 (zlib) of the payload | payload` (batch-codec.ts).
 *   One frame holds one batch, so a sink acknowledges whole frames and a read position is always
 *   a frame boundary: `{ segment: seq, offset: byte offset just past the frame }`.
 *
 * Invariants: frames are only appended, never rewritten; a frame whose length field, size or
 * checksum does not hold is torn (a crash mid-write) and it and everything after it in that
 * segment are ignored (recovery truncates them away, see recovery.ts).
 */
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = Buffer.from('RXFWAL1\n', 'latin1');
export const SEGMENT_HEADER_BYTES = SEGMENT_MAGIC.length;
export const FRAME_HEADER_BYTES = 8;
/** A length field above this is corruption, not a frame (one batch never gets near it). */
export const MAX_FRAME_PAYLOAD = 512 * 1024 * 1024;

const SEGMENT_NAME = /^(\d{16})\.wal$/;

/** A frame boundary in the log: segment seq and byte offset in that segment. */
export interface LogPosition {
  readonly segment: number;
  readonly offset: number;
}

export function comparePositions(a: LogPosition, b: LogPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.wal`;
}

/** The seq of a segment file name, or undefined for any other file. */
export function segmentSeq(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Frames the payloads into one buffer ready to append. */
export function encodeFrames(payloads: readonly Buffer[]): Buffer {
  let size = 0;
  for (const p of payloads) size += FRAME_HEADER_BYTES + p.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const p of payloads) {
    out.writeUInt32LE(p.length, pos);
    out.writeUInt32LE(crc32(p), pos + 4);
    p.copy(out, pos + FRAME_HEADER_BYTES);
    pos += FRAME_HEADER_BYTES + p.length;
  }
  return out;
}

export type FrameScan =
  | { kind: 'frame'; payload: Buffer; next: number }
  /** Not enough bytes yet for the header or payload (`need`: bytes from `at` to complete it). */
  | { kind: 'partial'; need: number }
  | { kind: 'torn'; reason: string };

/** Reads the frame at `at` in `buf` (which holds segment bytes from some file offset). */
export function scanFrame(buf: Buffer, at: number, end = buf.length): FrameScan {
  if (end - at < FRAME_HEADER_BYTES) return { kind: 'partial', need: FRAME_HEADER_BYTES };
  const length = buf.readUInt32LE(at);
  if (length === 0 || length > MAX_FRAME_PAYLOAD) return { kind: 'torn', reason: `bad frame length ${length}` };
  const total = FRAME_HEADER_BYTES + length;
  if (end - at < total) return { kind: 'partial', need: total };
  const payload = buf.subarray(at + FRAME_HEADER_BYTES, at + total);
  if (crc32(payload) !== buf.readUInt32LE(at + 4)) return { kind: 'torn', reason: 'checksum mismatch' };
  return { kind: 'frame', payload, next: at + total };
}

export function hasSegmentMagic(buf: Buffer): boolean {
  return buf.length >= SEGMENT_HEADER_BYTES && buf.subarray(0, SEGMENT_HEADER_BYTES).equals(SEGMENT_MAGIC);
}

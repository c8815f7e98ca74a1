/**
 * Recovery of a buffer folder after a restart or a crash: finds the segments, checks every
 * frame's length and checksum, and truncates a segment at its first torn frame.
 *
 * Invariants:
 * - After `recoverSegments` every listed segment ends exactly after its last valid frame, so a
 *   new append or a reader never meets a torn frame written before the restart.
 * - A torn frame is one the source was never acknowledged for when `fsync: batch` (the ack
 *   waits for the fsync), so dropping it loses nothing: the source reads those lines again.
 *   Each one found is reported (`torn`) for the rxflume_buffer_torn_records_total metric.
 * - A file too short to hold the segment header, or with another header, held no frame: it is
 *   removed (counted torn when it had any bytes).
 *
 * Failure modes: an unreadable folder or segment throws (the pipeline fails to start, with the
 * path in the error); a failed truncate throws likewise rather than append after garbage.
 */
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { payloadEventCount } from './batch-codec.js';
import { hasSegmentMagic, SEGMENT_HEADER_BYTES, scanFrame, segmentSeq } from './segment-format.js';

/** One frame found on disk: where it ends and how many events it holds. */
export interface FrameInfo {
  readonly end: number;
  readonly events: number;
}

export interface RecoveredSegment {
  readonly seq: number;
  readonly path: string;
  /** Size after truncation: header plus valid frames. */
  readonly size: number;
  readonly frames: readonly FrameInfo[];
}

export interface RecoveryResult {
  /** In append order. */
  readonly segments: RecoveredSegment[];
  /** Torn frames (or torn segment headers) found and cut away. */
  readonly torn: number;
  readonly notes: string[];
}

/** Validates the frames of one segment's bytes: where the valid part ends, and its frames. */
export function scanSegment(bytes: Buffer): { validEnd: number; frames: FrameInfo[]; tornReason?: string } {
  if (!hasSegmentMagic(bytes)) return { validEnd: 0, frames: [], tornReason: 'missing segment header' };
  const frames: FrameInfo[] = [];
  let at = SEGMENT_HEADER_BYTES;
  while (at < bytes.length) {
    const scan = scanFrame(bytes, at);
    if (scan.kind === 'frame') {
      frames.push({ end: scan.next, events: payloadEventCount(scan.payload) });
      at = scan.next;
      continue;
    }
    return { validEnd: at, frames, tornReason: scan.kind === 'torn' ? scan.reason : 'incomplete frame' };
  }
  return { validEnd: at, frames };
}

export async function recoverSegments(dir: string): Promise<RecoveryResult> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => segmentSeq(n) !== undefined).sort();
  const segments: RecoveredSegment[] = [];
  const notes: string[] = [];
  let torn = 0;
  for (const name of names) {
    const path = join(dir, name);
    const bytes = await readFile(path);
    const scan = scanSegment(bytes);
    if (scan.validEnd === 0) {
      if (bytes.length > 0) {
        torn++;
        notes.push(`${name}: ${scan.tornReason}; removed`);
      }
      await unlink(path);
      continue;
    }
    if (scan.validEnd < bytes.length) {
      torn++;
      notes.push(`${name}: ${scan.tornReason} at byte ${scan.validEnd}; cut ${bytes.length - scan.validEnd} bytes`);
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(scan.validEnd);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    segments.push({ seq: segmentSeq(name) as number, path, size: scan.validEnd, frames: scan.frames });
  }
  return { segments, torn, notes };
}

/**
 * Events left in a disk buffer folder that its source no longer reads as a disk buffer (its
 * `buffer` was switched to memory, in the file or by a reload). They were acknowledged to the
 * source when they reached the log, so the source will not read them again and only that log
 * can deliver them: they must not be forgotten silently.
 *
 * Invariants: only reads (never changes the folder, never moves a corrupt positions file
 * aside); a frame counts as undelivered when it lies past the lowest stored sink position (or
 * there is no readable position at all). A clean close leaves the last segment behind with
 * every sink past it: that is not reported.
 *
 * Failure modes: a folder that does not exist or cannot be read answers undefined (nothing to
 * report); sizes include a torn tail, if any (the numbers are for the operator, not exact).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import type { PositionsState } from './positions.js';
import { comparePositions, type LogPosition, SEGMENT_HEADER_BYTES, segmentSeq } from './segment-format.js';

export interface UndeliveredLog {
  readonly segments: number;
  /** Bytes of frames past the lowest sink position (approximate). */
  readonly bytes: number;
}

/** What in `dir` no sink has acknowledged yet, or undefined when nothing (or no folder). */
export async function undeliveredInLog(dir: string): Promise<UndeliveredLog | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const seqs = names.flatMap((n) => {
    const seq = segmentSeq(n);
    return seq === undefined ? [] : [seq];
  });
  if (seqs.length === 0) return undefined;
  const low = await lowestPosition(dir);
  let segments = 0;
  let bytes = 0;
  for (const seq of seqs.sort((a, b) => a - b)) {
    const size = await stat(join(dir, names.find((n) => segmentSeq(n) === seq) as string)).then(
      (s) => s.size,
      () => 0,
    );
    const from = low && low.segment === seq ? Math.max(low.offset, SEGMENT_HEADER_BYTES) : SEGMENT_HEADER_BYTES;
    if (size <= from || (low && comparePositions({ segment: seq, offset: size }, low) <= 0)) continue;
    segments++;
    bytes += size - from;
  }
  return segments > 0 ? { segments, bytes } : undefined;
}

/** The lowest stored sink position, or undefined when there is none readable. */
async function lowestPosition(dir: string): Promise<LogPosition | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, 'positions.json'), 'utf8')) as { state?: PositionsState };
    let low: LogPosition | undefined;
    for (const p of Object.values(parsed.state?.sinks ?? {})) {
      if (!Number.isFinite(p?.segment) || !Number.isFinite(p?.offset)) return undefined;
      if (!low || comparePositions(p, low) < 0) low = p;
    }
    return low;
  } catch {
    return undefined;
  }
}

/** Logs an error when `dir` still holds undelivered events of a source now on a memory buffer. */
export async function reportUndeliveredLog(dir: string, sourceId: string, logger: Logger): Promise<void> {
  const left = await undeliveredInLog(dir).catch(() => undefined);
  if (!left) return;
  const message =
    `source ${sourceId} now has a memory buffer, but its disk buffer folder ${dir} still holds about ${left.bytes} bytes ` +
    `in ${left.segments} segment(s) of events that were acknowledged to the source and never reached every sink; ` +
    'they are delivered only once the source is back on buffer type disk (same folder)';
  logger.error({ source: sourceId, dir, segments: left.segments, bytes: left.bytes }, message);
}

/**
 * `startAt: end` without a checkpoint: start after the last complete line, so a line being
 * written right now is read whole rather than from its middle.
 *
 * Looks back at most one read chunk; a file without any newline in that window starts at 0 when
 * the window is the whole file (it is one unfinished line) and at its size otherwise.
 */
import type { FileHandle } from 'node:fs/promises';

export async function lineStartBefore(fh: FileHandle, size: number, window: number): Promise<number> {
  if (size === 0) return 0;
  const from = Math.max(0, size - window);
  const buf = Buffer.alloc(size - from);
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const nl = buf.subarray(0, got).lastIndexOf(0x0a);
  if (nl >= 0) return from + nl + 1;
  return from === 0 ? 0 : size;
}

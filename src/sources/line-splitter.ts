/**
 * Splits a byte stream into lines while keeping exact byte offsets (for checkpoints and event ids).
 *
 * Invariants:
 * - `push` returns only complete lines (terminated by `\n`); a trailing `\r` is removed from the
 *   body but counted in the offsets. `end` is the offset just past the `\n`.
 * - Memory is bounded by `maxLineBytes`: once a line grows past it, only its first
 *   `oversizePrefixBytes` are kept and the rest is skipped up to the next `\n`; the line is
 *   returned with `oversize: true` so the caller can dead-letter it (neighbours are unaffected).
 * - `takePartial` hands out the unterminated tail (last line of a file that never got its
 *   newline) once the caller knows no more bytes will come (rotation, end of a spool file).
 * - A line inside one chunk is `bytes[from, to)` of that chunk, no view made: a Buffer view per
 *   line costs an allocation that lives as long as the line is in flight (GC pays for it), so
 *   `body` is made only when read, and hot paths use `bytes`/`from`/`to`.
 * - `recycle` takes back lines the caller is done with (their fields were copied, nothing keeps
 *   them): the next lines reuse those objects instead of allocating. A recycled line must not be
 *   read again; a caller that never recycles simply gets new objects.
 */

export class SplitLine {
  constructor(
    public offset: number,
    public end: number,
    /** The buffer holding the body: the body is `bytes[from, to)`. */
    public bytes: Buffer,
    public from: number,
    public to: number,
    /** Full length of the line in bytes (without terminator), useful for oversize reasons. */
    public length: number,
    /** The line was longer than maxLineBytes; the body holds only its prefix. */
    public oversize?: boolean,
  ) {}

  /** The body as a Buffer (a view of `bytes`, made on each read). */
  get body(): Buffer {
    return this.from === 0 && this.to === this.bytes.length ? this.bytes : this.bytes.subarray(this.from, this.to);
  }

  /** The line with the body `body` (e.g. built by hand in tests). */
  static of(offset: number, end: number, body: Buffer, oversize?: boolean): SplitLine {
    return new SplitLine(offset, end, body, 0, body.length, body.length, oversize);
  }
}

export interface LineSplitterOptions {
  startOffset: number;
  maxLineBytes: number;
  oversizePrefixBytes?: number;
}

const NL = 0x0a;
/** Enough for a 1 MiB chunk of ~100-byte lines. */
const MAX_FREE_LINES = 16_384;
const CR = 0x0d;

export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly prefixBytes: number;
  /** Offset of the first byte of the line being assembled. */
  private lineStart: number;
  /** Pieces of the line being assembled (already bounded). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the current line seen so far (including skipped ones). */
  private lineLength = 0;
  private skipping = false;
  /** Lines handed back by `recycle`, reused by the next whole lines. */
  private free: SplitLine[] = [];

  constructor(opts: LineSplitterOptions) {
    this.lineStart = opts.startOffset;
    this.maxLineBytes = opts.maxLineBytes;
    this.prefixBytes = Math.min(opts.oversizePrefixBytes ?? 1024, opts.maxLineBytes);
  }

  /** Offset just past the last complete line returned (where a reader would resume). */
  get committedOffset(): number {
    return this.lineStart;
  }

  /** Bytes received after the last complete line. */
  get pendingLength(): number {
    return this.lineLength;
  }

  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      if (nl !== -1 && this.lineLength === 0 && nl - pos <= this.maxLineBytes) {
        // Fast path: a whole line inside this chunk, nothing pending: slice it, no parts array.
        lines.push(this.whole(chunk, pos, nl));
        pos = nl + 1;
        continue;
      }
      const stop = nl === -1 ? chunk.length : nl;
      this.append(chunk, pos, stop);
      if (nl === -1) break;
      lines.push(this.finish(1));
      pos = nl + 1;
    }
    return lines;
  }

  /** The line chunk[from, nl) when no earlier bytes of it are pending (same result as append + finish). */
  private whole(chunk: Buffer, from: number, nl: number): SplitLine {
    const length = nl - from;
    const stop = length > 0 && chunk[nl - 1] === CR ? nl - 1 : nl;
    const offset = this.lineStart;
    const end = offset + length + 1;
    this.lineStart = end;
    const line = this.free.pop();
    if (line === undefined) return new SplitLine(offset, end, chunk, from, stop, length);
    line.offset = offset;
    line.end = end;
    line.bytes = chunk;
    line.from = from;
    line.to = stop;
    line.length = length;
    line.oversize = undefined;
    return line;
  }

  /** Takes back lines the caller is done with (see module header); at most MAX_FREE_LINES are kept. */
  recycle(lines: readonly SplitLine[]): void {
    const room = MAX_FREE_LINES - this.free.length;
    for (let i = 0; i < lines.length && i < room; i++) this.free.push(lines[i] as SplitLine);
  }

  /** Returns the unterminated tail as a line (if any bytes are pending) and resets. */
  takePartial(): SplitLine | undefined {
    if (this.lineLength === 0) return undefined;
    return this.finish(0);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    this.lineLength += n;
    if (this.skipping) return;
    if (this.lineLength > this.maxLineBytes) {
      // Keep only a prefix (copied, so no read chunk stays referenced); skip the rest unbuffered.
      const head = Buffer.concat([...this.parts, chunk.subarray(from, to)]);
      this.parts = [Buffer.from(head.subarray(0, this.prefixBytes))];
      this.partBytes = this.parts[0]?.length ?? 0;
      this.skipping = true;
      return;
    }
    this.parts.push(chunk.subarray(from, to));
    this.partBytes += n;
  }

  private finish(terminatorBytes: number): SplitLine {
    let body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.partBytes);
    const oversize = this.skipping;
    const length = this.lineLength;
    if (!oversize && body.length > 0 && body[body.length - 1] === CR && terminatorBytes > 0) body = body.subarray(0, body.length - 1);
    const offset = this.lineStart;
    const end = offset + length + terminatorBytes;
    this.lineStart = end;
    this.parts = [];
    this.partBytes = 0;
    this.lineLength = 0;
    this.skipping = false;
    return new SplitLine(offset, end, body, 0, body.length, length, oversize || undefined);
  }
}

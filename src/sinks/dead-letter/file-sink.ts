/**
 * The file dead-letter sink: rejected events as JSON lines (see entry-format.ts) in
 * `<dir>/dead-letter.<agentId>.jsonl`. Past `maxFileBytes` the file is renamed to
 * `dead-letter.<agentId>.jsonl.<n>` (n = 1, 2, … in roll order, so the oldest is .1) and a new one
 * is started. Rolled files are never deleted here: a dead letter is data nobody else has.
 *
 * Invariants:
 * - `write` resolves only after the entries' bytes are written and (with `fsync`) fsynced; only
 *   then may events be settled. Counting is the callers' job (validate-batch, sink-lane count each
 *   write after it resolved, by low-cardinality reason), so the books have one keeper.
 * - Writes are serialized in call order, so concurrent callers never interleave bytes.
 * - The file holds whole lines only: a failed write (ENOSPC, EIO) truncates back to the last
 *   good size before rejecting, and a torn last line left by a crash is cut off when the file is
 *   opened (its events were never acknowledged, so they will be dead-lettered again).
 * - A roll happens between lines, never inside one; a line bigger than maxFileBytes gets a file
 *   of its own. The rename and the new file are made durable with a directory fsync.
 *
 * Failure modes: every error rejects `write` with an RxfError (ENOSPC → RXF_NO_SPACE, retriable);
 * the sink then reopens on the next write, so a transient fault does not wedge it.
 */
import { type FileHandle, mkdir, open, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '../../core/checkpoint-store.js';
import type { ComponentContext, DeadLetterEntry, DeadLetterSink } from '../../core/component.js';
import { asRxfError, ErrorCodes, RxfError } from '../../core/errors.js';
import { type DeadLetterConfig, deadLetterConfigSchema } from './config.js';
import { toDeadLetterLine } from './entry-format.js';

export interface FileDeadLetterSinkOptions extends Partial<DeadLetterConfig> {
  /** Part of the file name, so agents can share a folder; default `ctx.agentId`. */
  readonly agentId?: string;
}

const NL = 0x0a;
const TAIL_SCAN_BYTES = 64 * 1024;

export function createFileDeadLetterSink(options: FileDeadLetterSinkOptions, ctx: ComponentContext): FileDeadLetterSink {
  const { agentId, ...rest } = options;
  const config = deadLetterConfigSchema.parse(rest);
  return new FileDeadLetterSink(config, agentId ?? ctx.agentId, ctx);
}

export class FileDeadLetterSink implements DeadLetterSink {
  readonly file: string;
  private readonly rolledPattern: RegExp;
  private fh: FileHandle | undefined;
  private size = 0;
  private nextRoll = 1;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly config: DeadLetterConfig,
    readonly agentId: string,
    private readonly ctx: ComponentContext,
  ) {
    if (!/^[A-Za-z0-9_.-]+$/.test(agentId)) throw new RxfError(ErrorCodes.CONFIG_INVALID, `agent id "${agentId}" must be [A-Za-z0-9_.-]+`);
    const base = `dead-letter.${agentId}.jsonl`;
    this.file = join(config.dir, base);
    this.rolledPattern = new RegExp(`^${base.replace(/\./g, '\\.')}\\.(\\d+)$`);
  }

  write(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (this.closed) return Promise.reject(new RxfError(ErrorCodes.SHUTDOWN, 'dead-letter sink is closed'));
    const run = this.queue.then(() => this.writeNow(entries));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private async writeNow(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const time = new Date(this.ctx.now()).toISOString();
    try {
      await this.ensureOpen();
      const max = this.config.maxFileBytes;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for (const entry of entries) {
        const line = Buffer.from(toDeadLetterLine(entry, time), 'utf8');
        if (this.size + pendingBytes > 0 && this.size + pendingBytes + line.length > max) {
          await this.append(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await this.roll();
        }
        pending.push(line);
        pendingBytes += line.length;
      }
      await this.append(pending, pendingBytes);
    } catch (err) {
      await this.abandonHandle();
      throw asRxfError(err);
    }
  }

  /** Appends and fsyncs; on failure cuts the file back to its last whole line. */
  private async append(parts: readonly Buffer[], bytes: number): Promise<void> {
    if (bytes === 0) return;
    const target = await this.ensureOpen();
    const buf = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts as Buffer[], bytes);
    try {
      let done = 0;
      while (done < buf.length) done += (await target.write(buf, done, buf.length - done)).bytesWritten;
      if (this.config.fsync) await target.sync();
    } catch (err) {
      await target.truncate(this.size).catch(() => undefined);
      throw err;
    }
    this.size += bytes;
  }

  private async roll(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
    await rename(this.file, `${this.file}.${this.nextRoll}`);
    this.nextRoll++;
    this.size = 0;
    await this.ensureOpen();
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    await mkdir(this.config.dir, { recursive: true });
    for (const name of await readdir(this.config.dir)) {
      const m = this.rolledPattern.exec(name);
      if (m) this.nextRoll = Math.max(this.nextRoll, Number(m[1]) + 1);
    }
    const fh = await open(this.file, 'a+');
    try {
      this.size = await this.cutTornTail(fh);
      if (this.config.fsync) await syncDir(this.config.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.fh = fh;
    return fh;
  }

  /** Answers the size of the whole lines in the file, truncating a partial last line. */
  private async cutTornTail(fh: FileHandle): Promise<number> {
    const { size } = await fh.stat();
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] === NL) return size;
    const chunk = Buffer.alloc(TAIL_SCAN_BYTES);
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - TAIL_SCAN_BYTES);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(NL);
      if (nl !== -1) {
        keep = start + nl + 1;
        break;
      }
      end = start;
    }
    await fh.truncate(keep);
    if (this.config.fsync) await fh.sync();
    this.ctx.logger.warn({ file: this.file, cutBytes: size - keep }, 'dead-letter file ended in a torn line (crash); cut it off');
    return keep;
  }

  private async abandonHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}

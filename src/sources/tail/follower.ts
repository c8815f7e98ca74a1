/**
 * The `tail -F` follower: one sequential loop that reads the followed name by byte offsets,
 * emits admitted batches, and handles rotation, truncation and restarts without losing lines.
 *
 * Loop (one step at a time, never concurrent with itself):
 *   1. Rotated-away files are drained first, oldest first: read to EOF, the held unterminated last
 *      line is emitted (no more bytes will come), the file's progress is sealed, the handle closed.
 *   2. Otherwise the current file is read chunk by chunk; full batches go out as lines arrive, the
 *      rest at EOF. A batch waits for gate admission before anything more is read (backpressure).
 *   3. At EOF the loop sleeps (poll timer, woken early by fs.watch). On waking it looks before it
 *      reads on: if the name now points at another inode, the current file is rotated away
 *      (`rename`, or `delete` when its link count is 0) and the new file is read from 0. If the
 *      same inode got shorter than our offset or its first bytes changed, it was truncated: a
 *      copytruncate copy (sibling named `<base>…`, same content prefix) supplies the bytes between
 *      our offset and the copy's end, then the truncated file is read from 0.
 *   4. Before the file now under the name is read after a rotation, siblings that held the name
 *      (or a copy of it) only between two looks are read first (unseen-rotations.ts: modified
 *      since the last look that found the name on our file, unknown identity, not compressed).
 *
 * Event ids: a file's fileKey is frozen at its first batch, and the checkpoint holding it is made
 * durable before that batch is emitted (a replay after a crash carries the same ids). `startAt:
 * end` applies only to a file present at the first look; one that appears later is read from 0.
 *
 * Metrics: the lag of the followed name (size last seen − committed offset of the current file),
 * updated on every read and every look at EOF, and on checkpoint advances once they moved
 * LAG_STEP_BYTES (advances come per settled line); one series per source.
 *
 * Failure modes: a missing name is waited for (logged once); I/O errors (EACCES, EIO) are logged
 * once per distinct error and retried on the next poll; nothing thrown escapes the loop. A closed
 * gate or `stop()` ends the loop; lines read but not admitted are not registered, so the
 * checkpoint stays before them and they are read again after a restart.
 *
 * Remaining races (inherent to following by name, documented in docs/tail-follower.md): bytes a
 * writer appends to a rotated-away file after we drained it, bytes written between logrotate's
 * copy and its truncate, a truncated file that regrows past our offset with the same first
 * bytes before we look, and more than MAX_UNSEEN unseen rotations (or any while stopped).
 */
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { SourceContext } from '../../core/component.js';
import type { EventBatch, Headers } from '../../core/event.js';
import type { SplitLine } from '../line-splitter.js';
import type { TailCheckpointState } from './checkpoint.js';
import { TailCheckpoint } from './checkpoint.js';
import type { TailSourceConfig } from './config.js';
import { ChunkReader, FollowedFile } from './followed-file.js';
import { checkPrefix, type FileIdentity, readIdentity, sameInode, statHandle, statPath } from './identity.js';
import { resumeFromCheckpoint } from './resume.js';
import { findCopy, type LocatedFile } from './siblings.js';
import { lineStartBefore } from './start-at.js';
import { StoppableAdmission } from './stoppable-admission.js';
import { findUnseenRotations } from './unseen-rotations.js';
import { Waker } from './waker.js';

/** How far the committed offset moves before an advance alone updates the lag gauge. */
const LAG_STEP_BYTES = 1024 * 1024;

/** Identities of files read to their end that are remembered (never picked up as unseen). */
const FINISHED_REMEMBERED = 32;

export class TailFollower {
  private readonly path: string;
  private readonly dir: string;
  private readonly baseName: string;
  private readonly batchSize: number;
  private readonly headers: Headers | undefined;
  private readonly reader: ChunkReader;
  private readonly waker: Waker;
  private readonly checkpoint: TailCheckpoint;
  private current: FollowedFile | undefined;
  /** Rotated-away files still to be read to their end, oldest first. */
  private readonly draining: FollowedFile[] = [];
  /** Rotated-away files not yet complete (still read, or lines unacknowledged): checkpointed. */
  private readonly unfinished: FollowedFile[] = [];
  private readonly admission: StoppableAdmission;
  private stopped = false;
  private applyStartAt = false;
  private resumed = false;
  /** The last step found the current file at its end (check for rotation before the next read). */
  private idle = false;
  private waitingLogged = false;
  private lastProblem: string | undefined;
  /** Size of the current file when last looked at, and the offset last reported (lag gauge). */
  private currentSize = 0;
  private lagOffset = 0;
  /** Date.now() before the last look that found the name still on the current file. */
  private lookedAtMs = 0;
  /** A rotation took the name away: look for unseen rotated files before reading the new one. */
  private unseenCheckPending = false;
  /** Files read to their end lately (bounded), so a late-appended one is not read again. */
  private readonly finished: FileIdentity[] = [];

  constructor(
    private readonly ctx: SourceContext,
    private readonly config: TailSourceConfig,
    private readonly emit: (batch: EventBatch) => void,
  ) {
    this.path = config.path;
    this.dir = dirname(config.path);
    this.baseName = basename(config.path);
    this.batchSize = Math.max(1, Math.min(config.batchSize, ctx.gate.maxEvents));
    this.headers = config.fileHeader ? { [config.fileHeaderKey]: config.path } : undefined;
    this.reader = new ChunkReader(config.readChunkBytes);
    this.waker = new Waker(this.dir, config.watch);
    this.checkpoint = new TailCheckpoint(ctx, () => this.snapshot());
    this.admission = new StoppableAdmission(ctx.id, ctx.gate, ctx.metrics);
    ctx.metrics.tailSourceCreated(ctx.id);
  }

  /** Runs until `stop()` or a closed gate; always resolves, with every handle closed. */
  async run(): Promise<void> {
    try {
      while (!this.stopped && !(await this.attempt(() => this.resume()))) await this.waker.sleep(this.config.pollIntervalMs);
      while (!this.stopped) {
        const busy = await this.attempt(() => this.step());
        if (!busy && !this.stopped) await this.waker.sleep(this.config.pollIntervalMs);
      }
    } finally {
      this.waker.close();
      await this.current?.closeHandle();
      for (const f of this.draining) await f.closeHandle();
      // Before a successful resume the snapshot is empty: writing it would erase the checkpoint.
      if (this.resumed) await this.checkpoint.flush();
    }
  }

  /** Writes the checkpoint as it stands now (acks may have moved it after `run` ended). */
  async flushCheckpoint(): Promise<void> {
    if (this.resumed) await this.checkpoint.flush();
  }

  /** Stops reading; a pending admission is abandoned (its lines are failed, so credit returns). */
  stop(): void {
    this.stopped = true;
    this.waker.wake();
    this.admission.stop();
  }

  private async attempt(action: () => Promise<boolean>): Promise<boolean> {
    try {
      const result = await action();
      this.lastProblem = undefined;
      return result;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const key = `${e.code ?? ''}:${e.message}`;
      if (key !== this.lastProblem) {
        this.ctx.logger.warn(
          { source: this.ctx.id, path: this.path, code: e.code, err: e.message },
          'tail: I/O problem; retrying each poll',
        );
      }
      this.lastProblem = key;
      return false;
    }
  }

  private async resume(): Promise<boolean> {
    this.lookedAtMs = Date.now();
    const state = await this.checkpoint.load();
    if (!state) {
      this.applyStartAt = true;
      this.resumed = true;
      return true;
    }
    const plan = await resumeFromCheckpoint(state, {
      sourceId: this.ctx.id,
      path: this.path,
      dir: this.dir,
      baseName: this.baseName,
      logger: this.ctx.logger,
      metrics: this.ctx.metrics,
      open: (found, entry) =>
        this.follow(found, { dev: entry.dev, ino: entry.ino, fpLen: entry.fpLen, fp: entry.fp }, entry.offset, entry.key),
    });
    this.current = plan.current;
    for (const f of plan.draining) this.retire(f);
    this.resumed = true;
    this.checkpoint.request();
    return true;
  }

  private follow(found: LocatedFile, identity: FileIdentity, startOffset: number, key?: string): FollowedFile {
    const file: FollowedFile = new FollowedFile({
      path: found.path,
      fh: found.fh,
      identity: { ...identity, dev: found.stat.dev, ino: found.stat.ino },
      startOffset,
      ...(key === undefined ? {} : { key }),
      maxLineBytes: this.config.maxLineBytes,
      hooks: {
        onSettle: (bytes) => this.ctx.gate.release(1, bytes),
        onAdvance: () => {
          this.checkpoint.request();
          if (file.progress.committedOffset - this.lagOffset >= LAG_STEP_BYTES) this.reportLag(file);
        },
        onComplete: () => {
          const i = this.unfinished.indexOf(file);
          if (i >= 0) this.unfinished.splice(i, 1);
          this.checkpoint.request();
        },
      },
    });
    return file;
  }

  /** Moves a file to the rotated-away set (read to its end next, then sealed). */
  private retire(file: FollowedFile): void {
    this.draining.push(file);
    this.unfinished.push(file);
  }

  private snapshot(): TailCheckpointState {
    return { current: this.current?.entry() ?? null, draining: this.unfinished.map((f) => f.entry()) };
  }

  private async step(): Promise<boolean> {
    const old = this.draining[0];
    if (old) return this.drainStep(old);
    if (!this.current) {
      this.current = await this.openName();
      return this.current !== undefined;
    }
    const file = this.current;
    // After an idle wait, look before reading: a file truncated and rewritten while we slept must
    // not be read at our old offset.
    if (this.idle) {
      const rotated = await this.checkRotation(file);
      this.idle = false;
      if (rotated) return true;
    }
    const n = await this.readCurrent(file);
    if (n < 0) return true;
    if (!(await this.emitReady(file, n === 0))) return false;
    if (n > 0) return true;
    this.idle = true;
    return false;
  }

  private async drainStep(file: FollowedFile): Promise<boolean> {
    const n = await file.read(this.reader);
    if (!(await this.emitReady(file, n === 0))) return false;
    if (n > 0) return true;
    file.releasePartial();
    if (!(await this.emitReady(file, true))) return false;
    file.progress.seal();
    await file.closeHandle();
    this.draining.shift();
    this.finished.push(file.identity);
    if (this.finished.length > FINISHED_REMEMBERED) this.finished.shift();
    this.checkpoint.request();
    return true;
  }

  /**
   * Reads a chunk of the current file and, before taking it, checks that the file still starts
   * with the fingerprinted bytes and was not cut below what we read: a truncate racing with our
   * read (even one already in flight) must not put bytes of the new content at the old offsets.
   * Answers the bytes taken, or -1 when the file turned out truncated (it is rotated away).
   * The check also grows a short fingerprint (before the fileKey is frozen, this is the key).
   */
  private async readCurrent(file: FollowedFile): Promise<number> {
    const chunk = await file.readChunk(this.reader);
    const fh = file.handle;
    if (chunk.length === 0 || !fh) return 0;
    const own = await statHandle(fh);
    const checked = own.size < file.readOffset + chunk.length ? undefined : await checkPrefix(fh, file.identity, own.size);
    if (!checked) {
      await this.truncated(file);
      return -1;
    }
    if (checked !== file.identity) file.identity = checked;
    file.accept(chunk);
    this.reportLag(file, own.size);
    return chunk.length;
  }

  private async openName(): Promise<FollowedFile | undefined> {
    const lookedAt = Date.now();
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // `startAt: end` skips what a file held when we started; a file that appears later is new
      // and every line of it is read (like `tail -F` does), else its first lines would be lost.
      this.applyStartAt = false;
      if (!this.waitingLogged) this.ctx.logger.info({ source: this.ctx.id, path: this.path }, 'tail: file not there yet; waiting for it');
      this.waitingLogged = true;
      return undefined;
    }
    try {
      const { identity, stat } = await readIdentity(fh);
      if (!stat.isFile) throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'ENOTFILE' });
      const start =
        this.applyStartAt && this.config.startAt === 'end' ? await lineStartBefore(fh, stat.size, this.config.readChunkBytes) : 0;
      if (this.unseenCheckPending) await this.pickUpUnseen(stat);
      this.unseenCheckPending = false;
      this.lookedAtMs = lookedAt;
      this.applyStartAt = false;
      this.waitingLogged = false;
      const file = this.follow({ path: this.path, fh, stat }, identity, start);
      this.current = file;
      this.reportLag(file, stat.size);
      this.checkpoint.request();
      return file;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * After a rotation, before the new file under the name is read: files that held the name (or a
   * copy of it) only between our last look and now are read first, oldest first (race 4; see
   * unseen-rotations.ts). They are drained like any rotated-away file and checkpointed in
   * `draining`, so a restart resumes them. Throws (caller retries) before anything is retired.
   */
  private async pickUpUnseen(named: { dev: string; ino: string }): Promise<void> {
    const known = [...this.finished, ...this.unfinished.map((f) => f.identity), ...this.draining.map((f) => f.identity)];
    const { files, skipped } = await findUnseenRotations({
      dir: this.dir,
      baseName: this.baseName,
      lookedAtMs: this.lookedAtMs,
      named,
      known,
    });
    if (skipped.length > 0) {
      this.ctx.logger.warn(
        { source: this.ctx.id, path: this.path, skipped },
        'tail: more unseen rotated files than the bound; the oldest are not read',
      );
    }
    for (const { found, identity, mtimeMs } of files) {
      this.ctx.metrics.tailRotation(this.ctx.id, 'unseen');
      this.ctx.logger.info(
        { source: this.ctx.id, path: this.path, from: found.path, size: found.stat.size, mtimeMs, lookedAtMs: this.lookedAtMs },
        'tail: rotated file not seen between two looks; reading it before the new file',
      );
      this.retire(this.follow(found, identity, 0));
    }
  }

  /** At EOF of the current file: rotation, truncation, or nothing (answers whether to go on now). */
  private async checkRotation(file: FollowedFile): Promise<boolean> {
    const fh = file.handle;
    if (!fh) return false;
    const lookedAt = Date.now();
    const named = await statPath(this.path);
    // Name gone: renamed or deleted, no new file yet. Keep reading the old handle meanwhile.
    if (!named) return false;
    if (!sameInode(named, file.identity)) {
      const own = await statHandle(fh);
      this.rotateAway(file, own.nlink === 0 ? 'delete' : 'rename');
      return true;
    }
    const own = await statHandle(fh);
    const checked = own.size < file.readOffset ? undefined : await checkPrefix(fh, file.identity, own.size);
    if (!checked) {
      await this.truncated(file);
      return true;
    }
    if (checked !== file.identity) {
      file.identity = checked;
      this.checkpoint.request();
    }
    // Only a look that found the name on our file, intact, bounds where unseen bytes can be.
    this.lookedAtMs = lookedAt;
    this.reportLag(file, own.size);
    return false;
  }

  /** Lag of the current file; `size` when just seen, else the last size seen. */
  private reportLag(file: FollowedFile, size?: number): void {
    if (file !== this.current) return;
    if (size !== undefined) this.currentSize = size;
    this.lagOffset = file.progress.committedOffset;
    this.ctx.metrics.sourceLag(this.ctx.id, this.path, this.currentSize - this.lagOffset);
  }

  private async truncated(file: FollowedFile): Promise<void> {
    const copy = await findCopy(this.dir, this.baseName, file.identity, file.readOffset);
    if (copy) {
      await file.rebind(copy.fh, copy.path, copy.stat.dev, copy.stat.ino);
      this.rotateAway(file, 'copytruncate');
    } else {
      // The bytes past our offset are gone; only the held partial line remains to be emitted.
      file.exhausted = true;
      await file.closeHandle();
      this.rotateAway(file, 'truncate');
    }
  }

  private rotateAway(file: FollowedFile, kind: string): void {
    this.ctx.metrics.tailRotation(this.ctx.id, kind);
    this.ctx.logger.info({ source: this.ctx.id, path: this.path, kind, offset: file.readOffset }, 'tail: rotation');
    this.current = undefined;
    this.unseenCheckPending = true;
    this.retire(file);
    this.checkpoint.request();
  }

  /** Emits full batches, and with `all` also the last partial batch; false when stopping. */
  private async emitReady(file: FollowedFile, all: boolean): Promise<boolean> {
    while (file.pendingLines >= this.batchSize || (all && file.pendingLines > 0)) {
      if (this.stopped) return false;
      if (!(await this.admit(file, file.takeLines(this.batchSize)))) return false;
    }
    return !this.stopped;
  }

  private async admit(file: FollowedFile, lines: SplitLine[]): Promise<boolean> {
    const freezing = !file.keyFrozen;
    const origin = file.origin(this.ctx.id, this.headers);
    // The checkpoint written when the file was opened may hold a key from a shorter fingerprint;
    // a crash before the next write would replay these lines under other ids. So the frozen key
    // is made durable before its first line leaves (one write per file).
    if (freezing) await this.checkpoint.flush();
    const result = await this.admission.admit(lines, origin, file.progress);
    if (result.kind === 'closed') this.stopped = true;
    if (result.kind === 'batch') this.emit(result.batch);
    return result.kind === 'batch' || result.kind === 'dropped';
  }
}

/**
 * The spooling-directory source: reads finished files of a folder one at a time, as batches of
 * line events, and renames (or deletes) each file once every event of it is delivered.
 *
 * Invariants:
 * - Reading is demand-driven: every batch is admitted through the flow gate before it is emitted
 *   and each settled event gives its credit back (FileProgress.onSettle → gate.release).
 * - A file is finished (renamed/deleted, then dropped from the checkpoint) only when its progress
 *   completes: sealed at EOF and every event settled, none failed. A file with a failed event
 *   stays where it is, is not read again in this run, and resumes from its committed offset after
 *   a restart (at-least-once).
 * - The next file may start while the previous one's events are in flight; files in flight are
 *   excluded from scans by path.
 * - On start, checkpointed files come first: same identity and offset < size → resumed from the
 *   offset; offset = size → finished at once; path gone or another file there → forgotten.
 * - A file that changes while read, or cannot be opened/read, is moved to quarantineDir (warn,
 *   counted as 'quarantined'); lines already emitted from it stay delivered; the source goes on.
 *
 * Metrics: files pending (ready, not being read) at every scan; per file being read, the lag
 * (size − checkpointed offset), whose series is removed when the file is finished or moved away.
 *
 * Failure modes: every error in the run loop (scan, open, rename, checkpoint) is logged and the
 * loop retries on the next poll; nothing thrown here escapes into a timer callback.
 */
import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Observable, type Subscriber } from 'rxjs';
import { CheckpointStore } from '../../core/checkpoint-store.js';
import type { Source, SourceContext } from '../../core/component.js';
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { EventBatch, Headers } from '../../core/event.js';
import { FileProgress } from '../../core/progress.js';
import { admitLines, failLateAdmission, type LineOrigin } from '../emit.js';
import type { SplitLine } from '../line-splitter.js';
import { SpoolCheckpoint, type SpoolCheckpointState, type SpoolFileEntry } from './checkpoint-state.js';
import { finishSpoolFile, holdsFile, quarantineSpoolFile } from './completion.js';
import { readSpoolFile } from './file-reader.js';
import { type FileIdentity, fileKeyOf, hasIdentity, readIdentity } from './identity.js';
import { pickNext, type ScanRules, scanSpoolDir } from './scanner.js';

/** How far the committed offset moves before the lag gauge is updated (it is also set at the end). */
const LAG_STEP_BYTES = 1024 * 1024;

/** The validated config with paths resolved and regexes compiled. */
export interface SpooldirSettings extends ScanRules {
  readonly spoolDir: string;
  readonly deletePolicy: 'never' | 'immediate';
  readonly pollDelay: number;
  readonly batchSize: number;
  readonly maxLineBytes: number;
  readonly readChunkBytes: number;
  readonly fileHeaderKey?: string;
  readonly basenameHeaderKey?: string;
}

/** A file read (or being read) in this run whose events may still be in flight. */
interface ActiveFile {
  readonly path: string;
  readonly ino: number;
  readonly entry: SpoolFileEntry;
  readonly progress?: FileProgress;
  /** The file was complete but renaming it failed: retried on the next poll. */
  finishFailed: boolean;
}

export class SpooldirSource implements Source {
  readonly id: string;
  private readonly checkpoint: SpoolCheckpoint;
  private readonly active = new Map<string, ActiveFile>();
  /** Files not to read again in this run (failed events, could not be quarantined): path → inode. */
  private readonly skipThisRun = new Map<string, number>();
  private resumeQueue: SpoolFileEntry[] | undefined;
  private subscriber: Subscriber<EventBatch> | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private cancelAdmission: (() => void) | undefined;
  private finishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: SpooldirSettings,
    private readonly ctx: SourceContext,
  ) {
    this.id = ctx.id;
    if (resolve(ctx.stateDir) === settings.spoolDir) {
      // The checkpoint files would be scanned (and renamed) as spool files.
      throw new RxfError(ErrorCodes.CONFIG_INVALID, `sources.${ctx.id}.spoolDir must not be the state folder (${ctx.stateDir})`);
    }
    const store = new CheckpointStore<SpoolCheckpointState>(ctx.stateDir, `source-${ctx.id}`, {
      onWrite: () => ctx.metrics.checkpointWritten(ctx.id, true),
      onWriteError: (err) => {
        ctx.metrics.checkpointWritten(ctx.id, false);
        ctx.logger.warn({ source: ctx.id, err: err.message }, 'spooldir checkpoint write failed; retrying with the next change');
      },
      onCorrupt: (file, reason) => {
        ctx.metrics.checkpointCorruptFound(ctx.id);
        ctx.logger.warn({ source: ctx.id, file, reason }, 'spooldir checkpoint unreadable; set aside, starting fresh');
      },
    });
    ctx.metrics.spoolSourceCreated(ctx.id);
    this.checkpoint = new SpoolCheckpoint(
      store,
      () => undefined, // already logged and counted by onWriteError
      (entry) => ctx.logger.warn({ source: ctx.id, entry }, 'spooldir checkpoint entry malformed; ignored'),
    );
  }

  events(): Observable<EventBatch> {
    return new Observable<EventBatch>((subscriber) => {
      if (this.subscriber || this.stopping) {
        subscriber.error(new Error(`spooldir source ${this.id} supports one subscription per instance`));
        return;
      }
      this.subscriber = subscriber;
      this.running = this.run();
      return () => {
        this.stop().catch((err) => this.ctx.logger.error({ source: this.id, err: String(err) }, 'spooldir stop failed'));
      };
    });
  }

  stop(): Promise<void> {
    if (!this.stopped) this.stopped = this.shutdown();
    return this.stopped;
  }

  /** Finishes the renames and checkpoint writes that acks settled after `stop()` started. */
  async flush(): Promise<void> {
    await this.stop();
    await this.finishing;
    await this.flushCheckpoint();
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.cancelAdmission?.();
    this.wake?.();
    await this.running;
    await this.finishing;
    await this.flushCheckpoint();
  }

  /** A failed write is already logged and counted by the store's hooks; stopping must not fail on it. */
  private async flushCheckpoint(): Promise<void> {
    try {
      await this.checkpoint.flush();
    } catch (err) {
      this.ctx.logger.error(
        { source: this.id, err: String(err) },
        'spooldir: last checkpoint write failed; a restart re-reads from the previous one',
      );
    }
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        let worked = false;
        try {
          worked = await this.step();
        } catch (err) {
          this.ctx.logger.error({ source: this.id, err: String(err) }, 'spooldir poll failed; retrying next poll');
        }
        if (!worked && !this.stopping) await this.pause(this.settings.pollDelay);
      }
    } finally {
      this.subscriber?.complete();
    }
  }

  /** One unit of work; answers false when there was nothing to do (then the loop sleeps). */
  private async step(): Promise<boolean> {
    if (!this.resumeQueue) {
      const saved = await this.checkpoint.load();
      this.resumeQueue = saved;
      if (saved.length > 0) this.ctx.logger.info({ source: this.id, files: saved.length }, 'spooldir resuming checkpointed files');
    }
    const resume = this.resumeQueue.shift();
    if (resume) {
      await this.processFile(resume.path, resume.ino, resume);
      return true;
    }
    this.sweepActive();
    const candidates = await scanSpoolDir(this.settings.spoolDir, this.settings, this.ctx.now(), (path, ino) => this.isBusy(path, ino));
    const next = pickNext(candidates, this.settings.consumeOrder);
    this.ctx.metrics.spoolFilesPending(this.id, next ? candidates.length - 1 : 0);
    if (!next) return false;
    await this.processFile(next.path, next.ino, undefined);
    return true;
  }

  private isBusy(path: string, ino: number): boolean {
    return this.active.has(path) || this.skipThisRun.get(path) === ino;
  }

  /** Retries failed renames; parks files with failed events so they are not read again this run. */
  private sweepActive(): void {
    for (const file of this.active.values()) {
      if (file.finishFailed) {
        file.finishFailed = false;
        this.enqueueFinish(file);
      } else if (file.progress?.hasFailed) {
        this.active.delete(file.path);
        this.skipThisRun.set(file.path, file.ino);
        this.ctx.logger.warn(
          { source: this.id, path: file.path, offset: file.progress.committedOffset },
          'spool file had failed events; it stays and is re-read from its committed offset after a restart',
        );
      }
    }
  }

  private async processFile(path: string, ino: number, resume: SpoolFileEntry | undefined): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      await this.cannotRead(path, ino, resume, err);
      return;
    }
    try {
      const opened = await this.prepare(fh, path, ino, resume);
      if (opened) await this.readFile(fh, opened.st, opened.entry, opened.fileKey);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /**
   * Checks an opened file and registers it; answers what to read, or undefined when it was
   * handled here (quarantined, forgotten, or finished at once because nothing is left to read).
   */
  private async prepare(
    fh: FileHandle,
    path: string,
    ino: number,
    resume: SpoolFileEntry | undefined,
  ): Promise<{ st: Stats; entry: SpoolFileEntry; fileKey: string } | undefined> {
    let st: Stats;
    let identity: FileIdentity;
    try {
      st = await fh.stat();
      if (st.isDirectory()) {
        await this.quarantine(path, ino, resume, 'EISDIR: a directory, not a file');
        return undefined;
      }
      if (resume && !(await hasIdentity(fh, st, resume))) {
        // Another file took the name (or the file was replaced): forget the entry; a scan picks the new file up.
        this.ctx.logger.warn({ source: this.id, path }, 'checkpointed spool file was replaced; its entry is dropped');
        this.checkpoint.remove(resume);
        return undefined;
      }
      identity = resume ?? (await readIdentity(fh, st));
    } catch (err) {
      await this.quarantine(path, ino, resume, (err as Error).message);
      return undefined;
    }
    const startOffset = resume?.offset ?? 0;
    if (startOffset > st.size) {
      await this.quarantine(path, st.ino, resume, `shorter (${st.size} bytes) than its checkpointed offset ${startOffset}`);
      return undefined;
    }
    const entry = resume ?? this.checkpoint.track(path, identity, 0);
    if (startOffset === st.size) {
      // Zero bytes, or every line was committed before a restart: nothing to read.
      this.enqueueFinish({ path, ino: st.ino, entry, finishFailed: false });
      return undefined;
    }
    return { st, entry, fileKey: fileKeyOf(identity) };
  }

  private async readFile(fh: FileHandle, st: Stats, entry: SpoolFileEntry, fileKey: string): Promise<void> {
    const startOffset = entry.offset;
    const { gate } = this.ctx;
    let lagReported = startOffset;
    const file: ActiveFile = {
      path: entry.path,
      ino: st.ino,
      entry,
      finishFailed: false,
      progress: new FileProgress(startOffset, {
        onSettle: (bytes) => gate.release(1, bytes),
        onAdvance: (offset) => {
          this.checkpoint.advance(entry, offset);
          // Advances come per settled line: the gauge moves per LAG_STEP_BYTES, and at the end.
          // A file no longer active (quarantined while events were in flight) has had its series
          // removed: late acks must not bring it back, it would stay forever.
          if (this.active.get(entry.path) !== file) return;
          if (offset - lagReported >= LAG_STEP_BYTES || offset === st.size) {
            lagReported = offset;
            this.ctx.metrics.sourceLag(this.id, entry.path, st.size - offset);
          }
        },
        onComplete: () => this.enqueueFinish(file),
      }),
    };
    const progress = file.progress as FileProgress;
    this.active.set(file.path, file);
    this.ctx.metrics.sourceLag(this.id, file.path, st.size - startOffset);
    this.ctx.logger.debug({ source: this.id, path: file.path, from: startOffset, size: st.size }, 'spool file reading');
    const origin: LineOrigin = { sourceId: this.id, fileKey, path: file.path, headers: this.headersFor(file.path) };
    const outcome = await readSpoolFile({
      fh,
      size: st.size,
      mtimeMs: st.mtimeMs,
      startOffset,
      batchSize: this.settings.batchSize,
      maxLineBytes: this.settings.maxLineBytes,
      readChunkBytes: this.settings.readChunkBytes,
      admit: (lines) => this.admit(lines, origin, progress),
    });
    if (outcome.kind === 'eof') {
      progress.seal(); // completes at once if everything already settled
    } else if (outcome.kind === 'changed' || outcome.kind === 'unreadable') {
      // Lines already emitted stay delivered; the file moves away, so its completion must not rename it.
      this.active.delete(file.path);
      this.ctx.metrics.sourceLagDone(this.id, file.path);
      await this.quarantine(file.path, st.ino, entry, outcome.reason);
    }
    // 'stopped': left unsealed; in-flight acks still advance the checkpoint, the rest is read after a restart.
  }

  /** Admits one batch and emits it; false when reading must stop (stop requested or gate closed). */
  private async admit(lines: SplitLine[], origin: LineOrigin, progress: FileProgress): Promise<boolean> {
    if (this.stopping) return false;
    const admission = admitLines(lines, origin, progress, this.ctx.gate, this.ctx.metrics);
    const cancelled = new Promise<undefined>((resolve) => {
      this.cancelAdmission = () => resolve(undefined);
    });
    const result = await Promise.race([admission, cancelled]);
    this.cancelAdmission = undefined;
    if (result === undefined) {
      // Stop won the race: a later grant is failed and counted (see failLateAdmission).
      failLateAdmission(admission, this.id, this.ctx.metrics);
      return false;
    }
    if (result.kind === 'closed') {
      this.stopping = true;
      return false;
    }
    if (result.kind === 'batch') this.subscriber?.next(result.batch);
    return !this.stopping;
  }

  private headersFor(path: string): Headers | undefined {
    const { fileHeaderKey, basenameHeaderKey } = this.settings;
    if (!fileHeaderKey && !basenameHeaderKey) return undefined;
    const headers: Headers = {};
    if (fileHeaderKey) headers[fileHeaderKey] = path;
    if (basenameHeaderKey) headers[basenameHeaderKey] = basename(path);
    return headers;
  }

  private enqueueFinish(file: ActiveFile): void {
    this.active.set(file.path, file);
    this.finishing = this.finishing.then(() => this.finish(file));
  }

  private async finish(file: ActiveFile): Promise<void> {
    try {
      if (!(await holdsFile(file.path, { dev: file.entry.dev, ino: file.ino }))) {
        // Gone, or another file took the name: finishing by name would rename (or delete) that
        // file unread. Forget ours; a scan picks up whatever is there now.
        this.ctx.logger.warn({ source: this.id, path: file.path }, 'finished spool file was moved or replaced before it could be renamed');
        this.checkpoint.remove(file.entry);
        this.forget(file);
        return;
      }
      const done = await finishSpoolFile(file.path, {
        fileSuffix: this.settings.fileSuffix,
        deletePolicy: this.settings.deletePolicy,
        now: this.ctx.now(),
      });
      if (done.renamedAround) {
        this.ctx.logger.warn(
          { source: this.id, path: file.path, target: done.target },
          'finished name already existed; used a unique name',
        );
      }
      this.ctx.metrics.spoolFileFinished(this.id, done.outcome);
      this.ctx.logger.info({ source: this.id, path: file.path, outcome: done.outcome, target: done.target }, 'spool file finished');
      this.checkpoint.remove(file.entry);
      this.forget(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.ctx.logger.warn({ source: this.id, path: file.path }, 'finished spool file vanished before it could be renamed');
        this.checkpoint.remove(file.entry);
        this.forget(file);
        return;
      }
      file.finishFailed = true;
      this.ctx.logger.error({ source: this.id, path: file.path, err: String(err) }, 'finishing spool file failed; retrying next poll');
    }
  }

  /** The file is done with in this run: no longer active, no lag to report. */
  private forget(file: ActiveFile): void {
    this.active.delete(file.path);
    this.ctx.metrics.sourceLagDone(this.id, file.path);
  }

  private async cannotRead(path: string, ino: number, resume: SpoolFileEntry | undefined, err: unknown): Promise<void> {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      this.ctx.logger.warn({ source: this.id, path }, 'spool file vanished before it could be read');
      if (resume) this.checkpoint.remove(resume);
      return;
    }
    await this.quarantine(path, ino, resume, (err as Error).message);
  }

  private async quarantine(path: string, ino: number, entry: SpoolFileEntry | undefined, reason: string): Promise<void> {
    try {
      const target = await quarantineSpoolFile(path, this.settings.quarantineDir, this.ctx.now());
      this.ctx.logger.warn({ source: this.id, path, target, reason }, 'spool file quarantined');
      this.ctx.metrics.spoolFileFinished(this.id, 'quarantined');
      if (entry) this.checkpoint.remove(entry);
    } catch (err) {
      // Cannot even move it: leave it, and do not pick it again in this run.
      this.skipThisRun.set(path, ino);
      this.ctx.logger.error({ source: this.id, path, reason, err: String(err) }, 'spool file could not be quarantined; skipped this run');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

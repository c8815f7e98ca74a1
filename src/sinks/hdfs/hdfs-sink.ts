/**
 * The HDFS-layout sink: routes events to bucket files, makes each batch durable before it is
 * acknowledged, rolls files to their final names, and recovers after a crash.
 *
 * Write protocol (fsync = 'batch'), per batch:
 *   1. cut every file still holding bytes of a failed write back to its durable length;
 *   2. per bucket: append the encoded events (one buffer; header first for a new file);
 *   3. fsync every touched file, save the sink state with the new lengths;
 *   4. only then resolve (the pipeline acknowledges), then roll files past rollSize/rollCount.
 * A failure in 1–3 rejects with a classified RxfError and leaves nothing acknowledged; the retry
 * of the same batch starts at step 1, so it leaves no duplicate or partial record behind.
 *
 * Work ahead (`prepare`, called when a batch is queued for this sink): the batch is routed and
 * the format starts encoding each bucket's events (Avro: blocks compressed on the thread pool)
 * while earlier batches are written. Step 2 uses that work only if routing the batch again gives
 * the same buckets with the same events (the clock may have moved a time escape); otherwise, or
 * when nothing was prepared, it encodes there. The bytes are the same either way.
 *
 * Rolls (reason counted in rxflume_sink_files_rolled_total): size, count (after a batch),
 * interval (timer, and checked against ctx.now() before writing), idle (likewise), schema (an
 * Avro batch with another schema), max-open-files (least recently written, never one touched by
 * the batch in progress), close, recovery, retry (a publish that had failed). A roll never fails
 * a write: if the rename fails the file stays recorded and is published at the next write, at
 * close, or by recovery.
 *
 * Concurrency: writes, timer rolls and close run one at a time through a promise chain; timers
 * are unref'd so they never keep the process alive, and a wait longer than one Node timer holds
 * (~24.8 days) is chained rather than left to Node, which would fire it at once.
 *
 * Recovery (`start`): every file recorded in the state is cut to its durable length and published
 * (empty ones deleted); in-use files of this agent in those buckets that the state does not name
 * are not this sink's (another sink of the agent may share the folder) and are left in place. When the store is unreachable at start (a retriable
 * error, e.g. WebHDFS down), recovery runs before the first write instead, which fails retriably
 * until it succeeds; nothing is written before it, and close leaves the old state untouched.
 *
 * A file whose create failed for any reason but "exists" (the create may have happened with its
 * reply lost) stays recorded as pending with durable length 0, so it is deleted, never orphaned.
 * The number of open files is reported with `filesOpen`.
 */
import { CheckpointStore } from '../../core/checkpoint-store.js';
import type { ComponentContext, Sink } from '../../core/component.js';
import { asRxfError, ErrorCodes, RxfError } from '../../core/errors.js';
import type { EventBatch } from '../../core/event.js';
import { createFormat, type FileFormat, type PreparedEvents } from '../formats/index.js';
import type { HdfsBackend } from './backend.js';
import type { HdfsSinkConfig } from './config.js';
import { OpenFile } from './open-file.js';
import { type BucketGroup, BucketRouter } from './router.js';
import { type FileNaming, fileNames, type HdfsSinkState, publishFile, type SinkFileEntry, unrecordedInUseFiles } from './sink-files.js';

const MAX_NAME_ATTEMPTS = 1000;
/** The longest delay one setTimeout accepts (2^31 - 1 ms, ~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class HdfsSink implements Sink {
  readonly id: string;
  private readonly format: FileFormat;
  private readonly router: BucketRouter;
  private readonly naming: FileNaming;
  private readonly store: CheckpointStore<HdfsSinkState>;
  /** Open files by bucket key, least recently written first. */
  private readonly open = new Map<string, OpenFile>();
  /** Closed, durable files whose rename failed; retried before each write and at close. */
  private pending: SinkFileEntry[] = [];
  private counter: number;
  private chain: Promise<unknown> = Promise.resolve();
  /** Work started by `prepare`, per bucket of the batch as routed then (kept for retries). */
  private readonly prepared = new WeakMap<EventBatch, PreparedBatch>();
  private started = false;
  private recovered = false;
  private closed = false;

  constructor(
    private readonly config: HdfsSinkConfig,
    private readonly ctx: ComponentContext,
    private readonly backend: HdfsBackend,
  ) {
    this.id = ctx.id;
    ctx.metrics.fileSinkCreated(ctx.id);
    this.format = createFormat(config.format, config.codec, config.deflateLevel);
    this.router = new BucketRouter(config, ctx.now);
    this.naming = { agentId: ctx.agentId, fileSuffix: config.fileSuffix, inUseSuffix: config.inUseSuffix };
    this.counter = ctx.now();
    this.store = new CheckpointStore<HdfsSinkState>(ctx.stateDir, `sink-${ctx.id}`, {
      onCorrupt: (file, reason) => {
        ctx.metrics.checkpointCorruptFound(ctx.id);
        ctx.logger.warn({ sink: ctx.id, file, reason }, 'sink state unreadable; in-use files it named are left in place');
      },
      onWrite: () => ctx.metrics.checkpointWritten(ctx.id, true),
      onWriteError: () => ctx.metrics.checkpointWritten(ctx.id, false),
    });
  }

  start(): Promise<void> {
    return this.serial(async () => {
      try {
        await this.recover();
      } catch (err) {
        const error = asRxfError(err);
        if (!error.retriable) throw error;
        this.ctx.logger.warn({ sink: this.id, err: error.message }, 'sink recovery failed; retried before the first write');
      }
      this.started = true;
    });
  }

  write(batch: EventBatch): Promise<void> {
    return this.serial(() => this.writeBatch(batch));
  }

  prepare(batch: EventBatch): void {
    const format = this.format;
    if (!format.prepare || batch.events.length === 0 || this.closed || this.prepared.has(batch)) return;
    try {
      format.check(batch);
      const groups = this.router.route(batch.events);
      const work = groups.map((group) => format.prepare?.(batch, group.events));
      this.prepared.set(batch, { groups, work });
    } catch {
      // The write finds the same problem and reports it.
    }
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      // Never started: the state on disk still describes the previous run; keep it for recovery.
      if (!this.started || !this.recovered) return;
      for (const file of [...this.open.values()]) await this.roll(file, 'close');
      await this.publishPending();
      await this.store.save(this.snapshot()).catch(() => undefined);
      try {
        await this.store.flush();
      } catch (err) {
        throw asRxfError(err);
      }
      if (this.pending.length > 0) {
        const names = this.pending.map((e) => e.inUse).join(', ');
        throw new RxfError(ErrorCodes.IO, `could not publish ${names}; they will be published at the next start`, { retriable: true });
      }
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async recover(): Promise<void> {
    const state = await this.store.load();
    const entries = state?.files ?? [];
    for (const entry of entries) {
      const result = await publishFile(this.backend, entry);
      if (result === 'published') this.ctx.metrics.fileRolled(this.id, 'recovery');
      this.ctx.logger.info({ sink: this.id, file: entry.inUse, durable: entry.durable, result }, 'recovered in-use file');
    }
    // Entries are saved before their file is created, so an unrecorded in-use file with our name
    // is not this sink's: another sink of this agent may be writing it. Never delete it.
    for (const path of await unrecordedInUseFiles(this.backend, entries, this.naming)) {
      this.ctx.logger.warn(
        { sink: this.id, file: path },
        'in-use file not recorded by this sink left in place (another sink of this agent?)',
      );
    }
    await this.store.save({ files: [] });
    this.recovered = true;
  }

  private async writeBatch(batch: EventBatch): Promise<void> {
    if (!this.started) throw new RxfError(ErrorCodes.SINK_PERMANENT, `sink ${this.id}: write before start`);
    if (this.closed) throw new RxfError(ErrorCodes.SHUTDOWN, `sink ${this.id} is closed`);
    if (batch.events.length === 0) return;
    this.format.check(batch);
    const touched: OpenFile[] = [];
    const now = this.ctx.now();
    try {
      if (!this.recovered) await this.recover();
      await this.publishPending();
      let rewound = false;
      for (const file of this.open.values()) {
        if (!file.uncommitted) continue;
        await file.rewind();
        rewound = true;
      }
      // A failed save may still have reached the disk (rename done, directory fsync failed):
      // record the rewound lengths before appending, so recovery can never publish past them.
      if (rewound) await this.store.save(this.snapshot());
      const groups = this.router.route(batch.events);
      const early = this.preparedFor(batch, groups);
      for (let i = 0; i < groups.length; i++) {
        const group = groups[i] as BucketGroup;
        const file = await this.fileFor(group, batch, now, touched);
        const ready = early?.[i];
        const body = await (ready && file.encoder.encodePrepared ? file.encoder.encodePrepared(ready) : file.encoder.encode(group.events));
        const data = file.written === 0 ? Buffer.concat([file.encoder.header(), body]) : body;
        file.uncommitted = true;
        touched.push(file);
        await file.handle.append(data);
        file.written += data.length;
        file.count += group.events.length;
      }
      await Promise.all(touched.map((f) => f.handle.sync()));
      await this.store.save(this.snapshot(new Set(touched)));
    } catch (err) {
      throw asRxfError(err);
    }
    for (const file of touched) {
      file.commit(now);
      this.armIdleTimer(file);
    }
    await this.rollAfterBatch(touched);
  }

  /** The work `prepare` started for `groups` (the batch routed now), if it was routed alike then. */
  private preparedFor(batch: EventBatch, groups: readonly BucketGroup[]): readonly (PreparedEvents | undefined)[] | undefined {
    const early = this.prepared.get(batch);
    if (!early || early.groups.length !== groups.length) return undefined;
    for (let i = 0; i < groups.length; i++) {
      const then = early.groups[i] as BucketGroup;
      const now = groups[i] as BucketGroup;
      if (then.dir !== now.dir || then.prefix !== now.prefix || !sameEvents(then.events, now.events)) return undefined;
    }
    return early.work;
  }

  /** The open file of a bucket, after rolling a stale or incompatible one and making room. */
  private async fileFor(group: BucketGroup, batch: EventBatch, now: number, touched: readonly OpenFile[]): Promise<OpenFile> {
    const key = `${group.dir}\u0000${group.prefix}`;
    const current = this.open.get(key);
    if (current) {
      const reason = this.rollReasonBeforeWrite(current, batch, now);
      if (!reason) {
        this.open.delete(key); // re-insert: the map's order is least recently written first
        this.open.set(key, current);
        return current;
      }
      await this.roll(current, reason);
    }
    for (const file of this.open.values()) {
      if (this.open.size < this.config.maxOpenFiles) break;
      if (!touched.includes(file)) await this.roll(file, 'max-open-files');
    }
    return this.openFile(key, group, batch, now);
  }

  private rollReasonBeforeWrite(file: OpenFile, batch: EventBatch, now: number): string | undefined {
    if (!file.encoder.accepts(batch)) return 'schema';
    const { rollInterval, idleTimeout } = this.config;
    if (rollInterval > 0 && now - file.openedAt >= rollInterval * 1000) return 'interval';
    if (idleTimeout > 0 && now - file.lastWriteAt >= idleTimeout * 1000) return 'idle';
    return undefined;
  }

  private async openFile(key: string, group: BucketGroup, batch: EventBatch, now: number): Promise<OpenFile> {
    await this.backend.mkdirs(group.dir);
    for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
      const names = { dir: group.dir, prefix: group.prefix, ...fileNames(group.dir, group.prefix, this.counter++, this.naming) };
      if ((await this.backend.size(names.final)) !== undefined || (await this.backend.size(names.inUse)) !== undefined) continue;
      // Recorded before it exists, so a crash can never leave an in-use file of ours unrecorded.
      await this.store.save(this.snapshot(undefined, { ...names, durable: 0 }));
      let handle: Awaited<ReturnType<HdfsBackend['create']>>;
      try {
        handle = await this.backend.create(names.inUse);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        // It may exist (reply lost): keep it recorded until a publish finds it gone or deletes it.
        this.pending.push({ ...names, durable: 0 });
        throw err;
      }
      const file = new OpenFile(key, names, handle, this.format.open(batch), now);
      this.open.set(key, file);
      this.ctx.metrics.filesOpen(this.id, this.open.size);
      this.armIntervalTimer(file);
      return file;
    }
    throw new RxfError(ErrorCodes.SINK_PERMANENT, `no free file name in ${group.dir} for prefix ${group.prefix}`);
  }

  private async rollAfterBatch(touched: readonly OpenFile[]): Promise<void> {
    const { rollCount, rollSize, maxOpenFiles } = this.config;
    for (const file of touched) {
      if (rollCount > 0 && file.count >= rollCount) await this.roll(file, 'count');
      else if (rollSize > 0 && file.written >= rollSize) await this.roll(file, 'size');
    }
    for (const file of this.open.values()) {
      if (this.open.size <= maxOpenFiles) break;
      await this.roll(file, 'max-open-files');
    }
  }

  /** Closes and publishes a file. Never throws: a failed publish stays pending (and recorded). */
  private async roll(file: OpenFile, reason: string): Promise<void> {
    if (this.open.get(file.key) !== file) return;
    this.open.delete(file.key);
    this.ctx.metrics.filesOpen(this.id, this.open.size);
    file.clearTimers();
    // A failed rewind is harmless: publishFile cuts the file by path to the same length.
    await file.rewind().catch(() => undefined);
    await file.handle.close().catch(() => undefined);
    await this.publishEntry(file.entry(), reason);
    await this.store.save(this.snapshot()).catch((err: unknown) => {
      this.ctx.logger.warn({ sink: this.id, err: asRxfError(err).message }, 'sink state not saved after roll; retried with the next batch');
    });
  }

  private async publishEntry(entry: SinkFileEntry, reason: string): Promise<boolean> {
    try {
      const result = await publishFile(this.backend, entry);
      if (result === 'published') this.ctx.metrics.fileRolled(this.id, reason);
      this.ctx.logger.debug({ sink: this.id, file: entry.final, bytes: entry.durable, reason, result }, 'rolled file');
      return true;
    } catch (err) {
      this.ctx.logger.warn({ sink: this.id, file: entry.inUse, reason, err: asRxfError(err).message }, 'roll failed; will retry');
      if (!this.pending.includes(entry)) this.pending.push(entry);
      return false;
    }
  }

  private async publishPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const retry = this.pending;
    this.pending = [];
    for (const entry of retry) await this.publishEntry(entry, 'retry');
  }

  private snapshot(committing?: ReadonlySet<OpenFile>, extra?: SinkFileEntry): HdfsSinkState {
    const files: SinkFileEntry[] = [];
    for (const f of this.open.values()) files.push(f.entry(committing?.has(f) ?? false));
    files.push(...this.pending);
    if (extra) files.push(extra);
    return { files };
  }

  private armIntervalTimer(file: OpenFile): void {
    if (this.config.rollInterval <= 0) return;
    this.armTimer(file, 'intervalTimer', this.config.rollInterval * 1000, 'interval');
  }

  private armIdleTimer(file: OpenFile): void {
    if (this.config.idleTimeout <= 0) return;
    clearTimeout(file.idleTimer);
    this.armTimer(file, 'idleTimer', this.config.idleTimeout * 1000, 'idle');
  }

  /** A Node timer holds at most MAX_TIMER_MS (longer fires at once): longer waits are chained. */
  private armTimer(file: OpenFile, slot: 'intervalTimer' | 'idleTimer', ms: number, reason: string): void {
    const step = Math.min(ms, MAX_TIMER_MS);
    const timer = setTimeout(() => (step < ms ? this.armTimer(file, slot, ms - step, reason) : this.timedRoll(file, reason)), step);
    timer.unref();
    file[slot] = timer;
  }

  private timedRoll(file: OpenFile, reason: string): void {
    void this.serial(() => this.roll(file, reason));
  }
}

interface PreparedBatch {
  readonly groups: readonly BucketGroup[];
  readonly work: readonly (PreparedEvents | undefined)[];
}

function sameEvents(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

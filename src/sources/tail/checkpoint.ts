/**
 * The tail source's checkpoint: which file (identity) and which committed byte offset.
 *
 * On-disk format (inside the CheckpointStore envelope `<stateDir>/source-<id>.json`):
 *   { "current": Entry | null, "draining": Entry[] }
 *   Entry = { key, path, dev, ino, fpLen, fp, offset }
 * `current` is the file under the followed name; `draining` are rotated-away files (oldest first)
 * whose lines are not all acknowledged yet. `key` is the fileKey used in event ids, kept as first
 * written so a replay after restart produces the same ids even after the fingerprint grew.
 *
 * Invariants: `offset` is a FileProgress committed offset (never past an unacknowledged line).
 * Saves are coalesced to one per microtask turn and then by the store, so settling many acks
 * costs one state snapshot. A state of the wrong shape is treated like a corrupt file: counted,
 * logged, and the source starts as if there were no checkpoint.
 */
import { z } from 'zod';
import { CheckpointStore } from '../../core/checkpoint-store.js';
import type { SourceContext } from '../../core/component.js';

const entrySchema = z.object({
  key: z.string(),
  path: z.string(),
  dev: z.string(),
  ino: z.string(),
  fpLen: z.number().int().nonnegative(),
  fp: z.string(),
  offset: z.number().int().nonnegative(),
});

const stateSchema = z.object({ current: entrySchema.nullable(), draining: z.array(entrySchema) });

export type TailFileEntry = z.output<typeof entrySchema>;
export type TailCheckpointState = z.output<typeof stateSchema>;

export class TailCheckpoint {
  private readonly store: CheckpointStore<TailCheckpointState>;
  private scheduled = false;

  constructor(
    private readonly ctx: SourceContext,
    private readonly snapshot: () => TailCheckpointState,
  ) {
    this.store = new CheckpointStore<TailCheckpointState>(ctx.stateDir, `source-${ctx.id}`, {
      onCorrupt: (file, reason) => this.corrupt(file, reason),
      onWrite: () => ctx.metrics.checkpointWritten(ctx.id, true),
      onWriteError: (err) => {
        ctx.metrics.checkpointWritten(ctx.id, false);
        ctx.logger.error(
          { source: ctx.id, err: err.message, code: err.code },
          'tail: checkpoint write failed; offsets stay at the last written state',
        );
      },
    });
  }

  get file(): string {
    return this.store.file;
  }

  async load(): Promise<TailCheckpointState | undefined> {
    const raw = await this.store.load();
    if (raw === undefined) return undefined;
    const parsed = stateSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.corrupt(this.store.file, `unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  }

  /** Schedules a save of the current snapshot (coalesced; errors are logged and counted). */
  request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.store.save(this.snapshot()).catch(() => undefined);
    });
  }

  /** Saves the snapshot now and waits until it is on disk. */
  async flush(): Promise<void> {
    this.scheduled = false;
    this.store.save(this.snapshot()).catch(() => undefined);
    try {
      await this.store.flush();
    } catch {
      // Already logged and counted by onWriteError.
    }
  }

  private corrupt(file: string, reason: string): void {
    this.ctx.metrics.checkpointCorruptFound(this.ctx.id);
    this.ctx.logger.warn({ source: this.ctx.id, file, reason }, 'tail: checkpoint unreadable; starting without it');
  }
}

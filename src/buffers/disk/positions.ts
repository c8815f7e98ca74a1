/**
 * Per-sink read positions of one disk buffer: how far each sink has acknowledged the log.
 *
 * On-disk format: `<dir>/positions.json` through CheckpointStore (temp → fsync → rename), with
 * state `{ "sinks": { "<sinkId>": { "segment": n, "offset": n } } }`.
 *
 * Invariants:
 * - A position only moves forward, and only over frames the sink acknowledged in order (the
 *   caller stops advancing a sink after a `failed` batch, see disk-buffer.ts).
 * - Saves are throttled (at most one every `saveIntervalMs`, plus one at `flush`): a position on
 *   disk may lag the acknowledged one, which after a crash re-delivers those frames (duplicates,
 *   same event ids), never skips any.
 * - A sink without a stored position starts at the oldest retained frame.
 *
 * Failure modes: a corrupt file is set aside by CheckpointStore (every sink then starts at the
 * oldest retained frame: duplicates, no loss); a failed save (ENOSPC) is logged and retried by the
 * next save or flush.
 */
import type { CheckpointStore } from '../../core/checkpoint-store.js';
import type { Logger } from '../../core/logger.js';
import { comparePositions, type LogPosition } from './segment-format.js';

export interface PositionsState {
  sinks: Record<string, LogPosition>;
}

export class SinkPositions {
  private readonly current = new Map<string, LogPosition>();
  private timer: NodeJS.Timeout | undefined;
  private changed = false;

  constructor(
    private readonly store: CheckpointStore<PositionsState>,
    private readonly sinkIds: readonly string[],
    private readonly logger: Logger,
    private readonly saveIntervalMs = 200,
  ) {}

  /** Loads stored positions; sinks without one (or behind `oldest`) start at `oldest`. */
  async load(oldest: LogPosition): Promise<void> {
    const state = await this.store.load();
    for (const id of this.sinkIds) {
      const stored = state?.sinks?.[id];
      const valid = stored && Number.isFinite(stored.segment) && Number.isFinite(stored.offset);
      this.current.set(id, valid && comparePositions(stored, oldest) > 0 ? { segment: stored.segment, offset: stored.offset } : oldest);
    }
  }

  get(sinkId: string): LogPosition {
    return this.current.get(sinkId) as LogPosition;
  }

  /** The lowest position over the buffer's sinks: everything before it every sink has. */
  min(): LogPosition {
    let low: LogPosition | undefined;
    for (const p of this.current.values()) if (!low || comparePositions(p, low) < 0) low = p;
    return low as LogPosition;
  }

  /** The highest position over the buffer's sinks. */
  max(): LogPosition {
    let high: LogPosition | undefined;
    for (const p of this.current.values()) if (!high || comparePositions(p, high) > 0) high = p;
    return high as LogPosition;
  }

  advance(sinkId: string, to: LogPosition): void {
    const now = this.current.get(sinkId);
    if (now && comparePositions(to, now) <= 0) return;
    this.current.set(sinkId, to);
    this.changed = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.saveIntervalMs);
    this.timer.unref?.();
  }

  private save(): void {
    if (!this.changed) return;
    this.changed = false;
    this.store.save({ sinks: Object.fromEntries(this.current) }).catch((err) => {
      this.changed = true;
      this.logger.warn({ err }, 'disk buffer: saving sink positions failed; retried with the next save (a crash now only re-delivers)');
    });
  }

  /** Writes the newest positions; resolves once on disk (or logs why not). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
    await this.store.flush().catch((err) => this.logger.error({ err }, 'disk buffer: final save of sink positions failed'));
  }

  /** Stops the save timer without writing (abort: the positions on disk stay behind, safely). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

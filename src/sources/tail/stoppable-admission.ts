/**
 * Gate admission that `stop()` can cut short.
 *
 * A source blocked in `gate.admit` (buffer full) must still stop promptly, but the gate belongs
 * to the pipeline and stays open. So a pending admission is raced against the stop signal; if the
 * gate grants it later anyway, its lines are settled `failed` at once: the gate credit returns and
 * the checkpoint stays before them (they are read again after a restart), and counted rejected
 * (reason "stopped"): see failLateAdmission.
 *
 * Invariant: one waiter per pending admission, removed when it settles, so a long run does not
 * pile up listeners on a never-firing stop signal.
 */
import type { FlowGate } from '../../buffers/memory.js';
import type { FileProgress } from '../../core/progress.js';
import type { Metrics } from '../../metrics/metrics.js';
import { admitLines, type EmitResult, failLateAdmission, type LineOrigin } from '../emit.js';
import type { SplitLine } from '../line-splitter.js';

export type AdmissionResult = EmitResult | { kind: 'stopped' };

const STOPPED: AdmissionResult = { kind: 'stopped' };

export class StoppableAdmission {
  private readonly waiters = new Set<(result: AdmissionResult) => void>();
  private stopped = false;

  constructor(
    private readonly sourceId: string,
    private readonly gate: FlowGate,
    private readonly metrics: Metrics,
  ) {}

  async admit(lines: readonly SplitLine[], origin: LineOrigin, progress: FileProgress): Promise<AdmissionResult> {
    if (this.stopped) return STOPPED;
    const pending = admitLines(lines, origin, progress, this.gate, this.metrics);
    const result = await new Promise<AdmissionResult>((resolve, reject) => {
      this.waiters.add(resolve);
      pending.then(
        (r) => {
          this.waiters.delete(resolve);
          resolve(r);
        },
        (err: unknown) => {
          this.waiters.delete(resolve);
          reject(err);
        },
      );
    });
    if (result.kind === 'stopped') failLateAdmission(pending, this.sourceId, this.metrics);
    return result;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.waiters) w(STOPPED);
    this.waiters.clear();
  }
}

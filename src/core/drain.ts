/**
 * Drain steps shared by the agent's shutdown and its reloads.
 *
 * - `settlePipelines`: stop reading, wait until what was read is settled, at most `limitMs`;
 *   past it the pipelines are torn down and their unsettled events stay unacknowledged (their
 *   checkpoints did not move, so they are read again: the kill -9 guarantee).
 * - `closeWithin`: closing steps (sink close, source flush, dead-letter close) run together, each
 *   bounded by `limitMs`; a step that fails or hangs is logged and left behind, never thrown, so
 *   the caller always gets to go on (exit, or start the replacement pipelines).
 */
import type { Logger } from './logger.js';
import type { SourcePipeline } from './pipeline.js';

/**
 * Stops the pipelines reading and waits until what they read is settled, at most `limitMs`;
 * past it they are torn down (unsettled events stay unacknowledged). True when fully drained.
 */
export async function settlePipelines(pipelines: readonly SourcePipeline[], limitMs: number, log: Logger): Promise<boolean> {
  if (pipelines.length === 0) return true;
  const settleBy = deadline(limitMs);
  try {
    const stopping = Promise.all(pipelines.map((p) => p.stop().catch((err) => log.error({ err, source: p.id }, 'source stop failed'))));
    const outcome = await within(
      stopping.then(() => Promise.allSettled(pipelines.map((p) => p.done))).then(() => 'drained' as const),
      settleBy.expired,
    );
    if (outcome === 'timeout') {
      log.warn(
        { drainTimeoutMs: limitMs, sources: pipelines.map((p) => p.id) },
        'drain deadline passed; unsettled events stay unacknowledged',
      );
      for (const p of pipelines) p.abort();
    }
    return outcome === 'drained';
  } finally {
    settleBy.cancel();
  }
}

export interface CloseStep {
  readonly what: string;
  readonly fields: object;
  readonly work: () => Promise<unknown>;
}

export function step(what: string, fields: object, work: () => Promise<unknown>): CloseStep {
  return { what, fields, work };
}

/** Runs closing steps together, each bounded by `limitMs`; failures and timeouts are logged, never thrown. */
export async function closeWithin(steps: readonly CloseStep[], limitMs: number, log: Logger): Promise<void> {
  const closeBy = deadline(limitMs);
  const run = async ({ what, fields, work }: CloseStep): Promise<void> => {
    try {
      if ((await within(work(), closeBy.expired)) === 'timeout') log.error({ ...fields, timeoutMs: limitMs }, `${what} timed out`);
    } catch (err) {
      log.error({ ...fields, err }, `${what} failed`);
    }
  };
  try {
    await Promise.all(steps.map(run));
  } finally {
    closeBy.cancel();
  }
}

/** The longest delay one Node timer holds (2^31 - 1 ms, ~24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer as a promise; `cancel` clears it so it never keeps the process alive. */
function deadline(ms: number): { expired: Promise<'timeout'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.min(ms, MAX_TIMER_MS));
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

function within<T>(work: Promise<T>, expired: Promise<'timeout'>): Promise<T | 'timeout'> {
  return Promise.race([work, expired]);
}

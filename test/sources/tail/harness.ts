/** Runs a real tail source over real files and records what it emits (test helper). */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { afterEach, beforeEach } from 'vitest';
import type { FlowGateOptions } from '../../../src/buffers/memory.js';
import type { SourceContext } from '../../../src/core/component.js';
import type { FlumeEvent } from '../../../src/core/event.js';
import { tailSource } from '../../../src/sources/tail/index.js';
import { testSourceContext } from '../../support/context.js';
import { tempDir, waitFor } from '../../support/wait.js';

export interface TailRun {
  readonly ctx: SourceContext;
  readonly events: FlumeEvent[];
  readonly completed: Promise<void>;
  /** Bodies as text, in arrival order. */
  bodies(): string[];
  /** Settles every event received so far and not yet settled. */
  ackAll(): void;
  waitForCount(n: number, what?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface TailRunOptions {
  readonly path: string;
  readonly stateDir: string;
  /** Settle each event `delivered` as soon as it arrives (default true). */
  readonly autoAck?: boolean;
  readonly config?: Record<string, unknown>;
  readonly gate?: Partial<FlowGateOptions>;
  readonly id?: string;
}

export function startTail(opts: TailRunOptions): TailRun {
  const ctx = testSourceContext(opts.id ?? 'tail1', opts.stateDir, opts.gate ?? {});
  const config = tailSource.configSchema.parse({ path: opts.path, pollIntervalMs: 20, ...opts.config });
  const source = tailSource.create(config, ctx);
  const events: FlumeEvent[] = [];
  const autoAck = opts.autoAck ?? true;
  let sub: Subscription | undefined;
  const completed = new Promise<void>((resolve, reject) => {
    sub = source.events().subscribe({
      next: (batch) => {
        for (const e of batch.events) {
          events.push(e);
          if (autoAck) e.ack.settle('delivered');
        }
      },
      error: reject,
      complete: resolve,
    });
  });
  const bodies = () => events.map((e) => e.body.toString('utf8'));
  return {
    ctx,
    events,
    completed,
    bodies,
    ackAll: () => {
      for (const e of events) if (!e.ack.settled) e.ack.settle('delivered');
    },
    waitForCount: async (n, what) => {
      await waitFor(() => events.length >= n, { what: what ?? `${n} events (have ${events.length})` });
    },
    stop: async () => {
      await source.stop();
      await completed;
      sub?.unsubscribe();
    },
  };
}

export function lineRange(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}-${String(i).padStart(6, '0')}`);
  return out;
}

/** An appending writer that keeps its descriptor, like a logger across a rename. */
export class Writer {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  lines(lines: readonly string[]): void {
    if (lines.length > 0) writeSync(this.fd, `${lines.join('\n')}\n`);
  }
  raw(text: string | Buffer): void {
    writeSync(this.fd, typeof text === 'string' ? Buffer.from(text) : text);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** One followed file in the tail checkpoint. */
export interface SavedTailEntry {
  key: string;
  offset: number;
  path: string;
}
/** The tail checkpoint as saved (`<stateDir>/source-tail1.json`, the id startTail gives). */
export interface SavedTail {
  state: { current: SavedTailEntry | null; draining: SavedTailEntry[] };
}

/** Reads the checkpoint a restart would resume from. */
export function readSavedTail(stateDir: string): SavedTail {
  return JSON.parse(readFileSync(join(stateDir, 'source-tail1.json'), 'utf8')) as SavedTail;
}

export function checkpointOffsetOf(state: unknown): number | undefined {
  const s = state as { state?: { current?: { offset?: number } | null } };
  return s.state?.current?.offset ?? undefined;
}

/** Per-test folders for a tail source: `dir` (temp root), `stateDir` and the followed `path`. */
export interface TailDirs {
  readonly dir: string;
  readonly stateDir: string;
  readonly path: string;
  /** Stops `run` after the test, so no poller outlives its temp dir. */
  track(run: TailRun): TailRun;
}

/**
 * Registers beforeEach/afterEach in the calling describe: a fresh temp dir per test (named with
 * `prefix`) with `state` and `fileName` inside; afterwards stops tracked runs, then removes it.
 */
export function useTailDirs(prefix: string, fileName = 'drive.log'): TailDirs {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const runs: TailRun[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir(prefix));
  });
  afterEach(async () => {
    for (const r of runs.splice(0)) await r.stop();
    await cleanup();
  });
  return {
    get dir() {
      return dir;
    },
    get stateDir() {
      return join(dir, 'state');
    },
    get path() {
      return join(dir, fileName);
    },
    track(run) {
      runs.push(run);
      return run;
    },
  };
}

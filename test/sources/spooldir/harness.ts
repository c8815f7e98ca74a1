/**
 * Test harness for the spooldir source: a real source over a real folder, with a subscriber that
 * records every event and either settles acks at once (`autoAck`) or holds them for the test.
 * `useSpoolDirs` gives each test fresh spool and state folders and stops what it started.
 */
import { rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { afterEach, beforeEach } from 'vitest';
import type { FlowGateOptions } from '../../../src/buffers/memory.js';
import type { Source, SourceContext } from '../../../src/core/component.js';
import type { AckOutcome, FlumeEvent } from '../../../src/core/event.js';
import { spooldirConfigSchema, spooldirSource } from '../../../src/sources/spooldir/index.js';
import { testSourceContext } from '../../support/context.js';
import { tempDir } from '../../support/wait.js';

export interface SpoolRun {
  readonly source: Source;
  readonly ctx: SourceContext;
  /** Every event received, in order. */
  readonly events: FlumeEvent[];
  /** Settle each new event as delivered on arrival. */
  autoAck: boolean;
  readonly completed: Promise<void>;
  bodies(): string[];
  /** Settles the first `n` events not yet settled (all when n is omitted). */
  settle(n?: number, outcome?: AckOutcome): number;
  stop(): Promise<void>;
}

export interface StartSpoolOptions {
  spoolDir: string;
  stateDir: string;
  config?: Record<string, unknown>;
  gate?: Partial<FlowGateOptions>;
  autoAck?: boolean;
  id?: string;
}

export function startSpool(opts: StartSpoolOptions): SpoolRun {
  const config = spooldirConfigSchema.parse({ spoolDir: opts.spoolDir, minFileAgeMs: 0, pollDelay: 20, ...opts.config });
  const ctx = testSourceContext(opts.id ?? 'spool', opts.stateDir, opts.gate);
  const source = spooldirSource.create(config, ctx);
  const events: FlumeEvent[] = [];
  let settledUpTo = 0;
  let subscription: Subscription | undefined;
  const run: SpoolRun = {
    source,
    ctx,
    events,
    autoAck: opts.autoAck ?? true,
    completed: new Promise<void>((resolve, reject) => {
      subscription = source.events().subscribe({
        next: (batch) => {
          for (const e of batch.events) events.push(e);
          if (run.autoAck) run.settle();
        },
        error: reject,
        complete: resolve,
      });
    }),
    bodies: () => events.map((e) => e.body.toString('utf8')),
    settle(n = Number.POSITIVE_INFINITY, outcome: AckOutcome = 'delivered') {
      let done = 0;
      while (settledUpTo < events.length && done < n) {
        (events[settledUpTo] as FlumeEvent).ack.settle(outcome);
        settledUpTo++;
        done++;
      }
      return done;
    },
    async stop() {
      await source.stop();
      subscription?.unsubscribe();
    },
  };
  return run;
}

/** The current test's folders, and a `start` whose runs are stopped after the test. */
export interface SpoolDirs {
  readonly spoolDir: string;
  readonly stateDir: string;
  /** Starts a source over this test's folders (`spoolDir` may point elsewhere). */
  start(opts?: Partial<StartSpoolOptions>): SpoolRun;
}

/**
 * Registers beforeEach/afterEach hooks: fresh temp spool and state folders per test; afterwards
 * every run started through `start` is stopped, then both folders are removed.
 */
export function useSpoolDirs(): SpoolDirs {
  let spool: { dir: string; cleanup: () => Promise<void> } | undefined;
  let state: { dir: string; cleanup: () => Promise<void> } | undefined;
  const runs: SpoolRun[] = [];
  const current = (d: typeof spool) => {
    if (!d) throw new Error('useSpoolDirs: folders exist only while a test runs');
    return d.dir;
  };

  beforeEach(async () => {
    spool = await tempDir('rxflume-spool-');
    state = await tempDir('rxflume-state-');
  });

  afterEach(async () => {
    for (const r of runs.splice(0)) await r.stop();
    await spool?.cleanup();
    await state?.cleanup();
    spool = undefined;
    state = undefined;
  });

  return {
    get spoolDir() {
      return current(spool);
    },
    get stateDir() {
      return current(state);
    },
    start(opts = {}) {
      const r = startSpool({ spoolDir: current(spool), stateDir: current(state), ...opts });
      runs.push(r);
      return r;
    },
  };
}

/** `<prefix>-0 … <prefix>-(n-1)`, one per line. */
export function lines(prefix: string, n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `${prefix}-${i}`;
  return out;
}

/**
 * Puts a spool file in place with its mtime `ageMs` in the past (ordering and minFileAgeMs), the
 * way a producer should: written and dated under a dot-name (never scanned), then renamed. (Written in place,
 * a source polling with minFileAgeMs 0 could open it before its mtime was set back, and then see
 * it modified while read.)
 */
export async function spoolFile(dir: string, name: string, content: string | Buffer, ageMs = 60_000): Promise<string> {
  const path = join(dir, name);
  const staging = join(dir, `.staging-${++staged}`);
  await writeFile(staging, content);
  const t = (Date.now() - ageMs) / 1000;
  await utimes(staging, t, t);
  await rename(staging, path);
  return path;
}

let staged = 0;

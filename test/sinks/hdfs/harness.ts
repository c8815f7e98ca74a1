/** Builds real HDFS sinks over temp folders for the sink tests. */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ComponentContext, Sink } from '../../../src/core/component.js';
import { hdfsSink } from '../../../src/sinks/hdfs/index.js';
import { testContext } from '../../support/context.js';
import { tempDir } from '../../support/wait.js';
import { listTree } from './support.js';

export interface SinkUnderTest {
  readonly sink: Sink;
  readonly ctx: ComponentContext;
}

export async function startSink(
  root: string,
  stateDir: string,
  options: Record<string, unknown> = {},
  extra: Partial<ComponentContext> = {},
): Promise<SinkUnderTest> {
  const config = hdfsSink.configSchema.parse({ root, path: '/out', rollInterval: 0, ...options });
  const ctx = testContext('hdfs1', stateDir, extra);
  const sink = hdfsSink.create(config, ctx);
  await sink.start();
  return { sink, ctx };
}

export async function rolled(ctx: ComponentContext, reason?: string): Promise<number> {
  return ctx.metrics.value('rxflume_sink_files_rolled_total', reason ? { component_id: ctx.id, reason } : { component_id: ctx.id });
}

export async function finalFiles(root: string, inUseSuffix = '.tmp'): Promise<string[]> {
  return (await listTree(root)).filter((f) => !f.endsWith(inUseSuffix)).map((f) => join(root, f));
}

export async function inUseFiles(root: string, inUseSuffix = '.tmp'): Promise<string[]> {
  return (await listTree(root)).filter((f) => f.endsWith(inUseSuffix)).map((f) => join(root, f));
}

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2024, 0, 1)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Per-test folders for a sink: `root` (the local HDFS tree) and `state` (the state dir). */
export interface SinkDirs {
  readonly root: string;
  readonly state: string;
  /** Closes `s.sink` after the test (errors ignored), so no file handle outlives its temp dir. */
  track<T extends { sink: Sink }>(s: T): T;
}

/**
 * Registers beforeEach/afterEach in the calling describe: a fresh temp dir per test holding
 * `hdfs` (root) and `state`; afterwards closes tracked sinks in order, then removes the dir.
 */
export function useSinkDirs(): SinkDirs {
  let root = '';
  let state = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const open: Sink[] = [];
  beforeEach(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    root = join(t.dir, 'hdfs');
    state = join(t.dir, 'state');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
    await cleanup();
  });
  return {
    get root() {
      return root;
    },
    get state() {
      return state;
    },
    track(s) {
      open.push(s.sink);
      return s;
    },
  };
}

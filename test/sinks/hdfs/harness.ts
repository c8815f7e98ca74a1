/** Builds real HDFS sinks over temp folders for the sink tests. */
import { join } from 'node:path';
import type { ComponentContext, Sink } from '../../../src/core/component.js';
import { hdfsSink } from '../../../src/sinks/hdfs/index.js';
import { testContext } from '../../support/context.js';
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

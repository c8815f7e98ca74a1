/** Helpers for the disk buffer tests: an agent config over a spool folder and the local HDFS layout. */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { Agent } from '../../../src/core/agent.js';
import { silentLogger } from '../../../src/core/logger.js';
import { listFiles } from '../../support/pilot.js';

export interface SpoolAgentOptions {
  readonly dir: string;
  /** The `buffer:` block as YAML flow. */
  readonly buffer: string;
  /** Extra sinks (YAML lines under `sinks:`) the source also feeds, by id. */
  readonly extraSinks?: Record<string, string>;
  readonly sinkBatch?: number;
}

export function spoolAgentYaml(o: SpoolAgentOptions): string {
  const extra = o.extraSinks ?? {};
  const sinkIds = ['out', ...Object.keys(extra)];
  const batch = o.sinkBatch ?? 200;
  return `
agent: { id: disk-agent, stateDir: ${o.dir}/state, drainTimeoutMs: 5000 }
deadLetter: { dir: ${o.dir}/dead-letter }
sources:
  lines:
    type: spooldir
    spoolDir: ${o.dir}/spool
    minFileAgeMs: 0
    pollDelay: 20
    buffer: ${o.buffer}
    sinks: [${sinkIds.join(', ')}]
sinks:
  out: { type: hdfs, root: ${o.dir}/hdfs, path: /out, filePrefix: lines, fileSuffix: .log, format: text, rollSize: 256KiB, batchSize: ${batch}, batchTimeoutMs: 10, idleTimeout: 1 }
${Object.entries(extra)
  .map(([id, yaml]) => `  ${id}: ${yaml}`)
  .join('\n')}
`;
}

export async function startSpoolAgent(o: SpoolAgentOptions): Promise<Agent> {
  mkdirSync(join(o.dir, 'spool'), { recursive: true });
  const config = parseConfig(spoolAgentYaml(o), join(o.dir, 'agent.yaml'), {});
  const agent = await Agent.create(config, { logger: silentLogger() });
  await agent.start();
  return agent;
}

/** Writes `lines` into the spool folder as one file (via a temp name, so it appears whole). */
export function spoolLines(dir: string, name: string, lines: readonly string[]): void {
  const tmp = join(dir, `${name}.tmp-outside`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, join(dir, 'spool', name));
}

/** Every line in the finished (`.log`) files under `<root>/<sub>`. */
export async function sinkLines(root: string, sub = 'out'): Promise<string[]> {
  const files = (await listFiles(root)).filter((f) => f.startsWith(`${sub}/`) && f.endsWith('.log'));
  const texts = await Promise.all(files.map((f) => readFile(join(root, f), 'utf8')));
  return texts.flatMap((t) => t.split('\n').slice(0, -1));
}

/** Segment files (`*.wal`) in a disk buffer folder. */
export function segmentFiles(bufferDir: string): string[] {
  try {
    return readdirSync(bufferDir).filter((n) => n.endsWith('.wal'));
  } catch {
    return [];
  }
}

export function numberedLines(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(from + i).padStart(7, '0')}`);
}

/**
 * Runs the pilot config (config/smartcar.yaml) in-process against a temp data folder, the way
 * `npm start` would with RXFLUME_DATA set, and reads back what the sinks wrote.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { silentLogger } from '../../src/core/logger.js';

export const PILOT_CONFIG = fileURLToPath(new URL('../../config/smartcar.yaml', import.meta.url));

/**
 * `env` adds variables, e.g. RXFLUME_KAFKA_BROKERS for the driving sink (a test that tails the
 * driving log points it at a mock broker; without it the sink waits for 127.0.0.1:9092).
 */
export async function startPilotAgent(
  dataDir: string,
  overrides: (yaml: string) => string = (y) => y,
  env: Record<string, string> = {},
): Promise<Agent> {
  const text = overrides(await readFile(PILOT_CONFIG, 'utf8'));
  const config = parseConfig(text, PILOT_CONFIG, { RXFLUME_DATA: dataDir, RXFLUME_AGENT_ID: 'test-agent', ...env });
  const agent = await Agent.create(config, { logger: silentLogger() });
  await agent.start();
  return agent;
}

/** Every file below `dir`, as paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(d, e.name), rel ? `${rel}/${e.name}` : e.name);
      else out.push(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/**
 * The non-empty lines of every file below `root` (in listFiles order; none when `root` is
 * missing). `keep` picks files by their relative path, e.g. only finished (renamed) ones.
 */
export async function readLines(root: string, keep: (file: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  for (const f of await listFiles(root)) {
    if (!keep(f)) continue;
    for (const line of (await readFile(join(root, f), 'utf8')).split('\n')) if (line !== '') out.push(line);
  }
  return out;
}

/** yyyyMMdd of a time in the local zone (the pilot's collection date). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

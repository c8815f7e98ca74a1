/**
 * The demo's agent config: the shipped config/smartcar.yaml, unchanged except through its own
 * `${VAR:-default}` variables (RXFLUME_DATA = the demo folder, RXFLUME_KAFKA_BROKERS = the
 * broker, RXFLUME_AGENT_ID = demo-agent) and, when Kafka is off, one documented rewrite: the
 * driving source goes to `driving_local`, an HDFS-layout sink like `hdfs` (same root and path
 * template, so its lines land under /pilot-pjt/collect/driver-realtime-log/wrk_date=…), and the
 * Kafka sink is left out. A config that does not have the expected sources is an error naming it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type AgentConfig, parseConfig } from '../config/load.js';

/** src/demo/ and dist/demo/ are two folders below the package root, which ships config/. */
export const PILOT_CONFIG_FILE = fileURLToPath(new URL('../../config/smartcar.yaml', import.meta.url));

export const DEMO_LOCAL_DRIVING_SINK = 'driving_local';

export interface DemoConfigOptions {
  readonly dataDir: string;
  /** Bootstrap `host:port` list; undefined = Kafka off. */
  readonly kafkaBrokers: string | undefined;
  readonly configFile?: string;
}

type Tree = Record<string, Record<string, Record<string, unknown>>>;

export function demoConfig(opts: DemoConfigOptions): AgentConfig {
  const file = opts.configFile ?? PILOT_CONFIG_FILE;
  let text = readFileSync(file, 'utf8');
  if (opts.kafkaBrokers === undefined) {
    const tree = parseYaml(text) as Tree;
    const driving = tree.sources?.driving;
    const hdfs = tree.sinks?.hdfs;
    if (!driving || !hdfs || !tree.sinks)
      throw new Error(`${file}: the demo needs the sources "driving" and the sink "hdfs" of the pilot config`);
    for (const id of (driving.sinks as string[] | undefined) ?? []) if (tree.sinks[id]?.type === 'kafka') delete tree.sinks[id];
    driving.sinks = [DEMO_LOCAL_DRIVING_SINK];
    tree.sinks[DEMO_LOCAL_DRIVING_SINK] = { ...hdfs };
    text = stringifyYaml(tree);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, RXFLUME_DATA: opts.dataDir, RXFLUME_AGENT_ID: 'demo-agent' };
  if (opts.kafkaBrokers !== undefined) env.RXFLUME_KAFKA_BROKERS = opts.kafkaBrokers;
  return parseConfig(text, file, env);
}

/** Which sinks each source feeds (for the summary's per-source balance). */
export function sinksBySource(config: AgentConfig): Map<string, readonly string[]> {
  return new Map(config.sources.map((s) => [s.id, [...s.common.sinks]]));
}

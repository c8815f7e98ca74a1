/**
 * Helpers shared by the compose and Kubernetes manifest tests: YAML loading that refuses
 * duplicate keys, the environment variables a config reads, and the image's facts taken from the
 * Dockerfile (so the manifests are checked against the image, not against a copy of it).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { keyValues, lastOf, readDockerfile } from './dockerfile.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export type YamlMap = Record<string, unknown>;

/** One YAML document; duplicate keys are an error (a second key silently wins in Docker/K8s). */
export function readYaml(file: string): YamlMap {
  return parseYamlText(readFileSync(file, 'utf8'));
}

export function parseYamlText(text: string): YamlMap {
  return parse(text, { uniqueKeys: true }) as YamlMap;
}

/** Every document of a multi-document YAML file. */
export function readYamlDocuments(file: string): YamlMap[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as YamlMap;
  });
}

/** Names of the `${NAME}` / `${NAME:-default}` variables a config text reads. */
export function envNamesRead(configText: string): Set<string> {
  return new Set([...configText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1] as string));
}

export interface ImageFacts {
  readonly env: Readonly<Record<string, string>>;
  readonly uid: number;
  readonly gid: number;
  /** The config path the image's CMD passes to `run -c`. */
  readonly configPath: string;
  /** The port the image's CMD makes the metrics server listen on. */
  readonly metricsPort: number;
  readonly volumes: readonly string[];
}

export function imageFacts(): ImageFacts {
  const runtime = readDockerfile(`${REPO}Dockerfile`).at(-1);
  if (!runtime) throw new Error('Dockerfile has no stage');
  const env: Record<string, string> = {};
  for (const i of runtime.instructions) if (i.keyword === 'ENV') Object.assign(env, keyValues(i));
  const [uid, gid] = (lastOf(runtime, 'USER')?.text ?? '0').split(':').map(Number);
  const cmd = lastOf(runtime, 'CMD')?.exec ?? [];
  const address = cmd[cmd.indexOf('--metrics-address') + 1] ?? '';
  const volumes = runtime.instructions.filter((i) => i.keyword === 'VOLUME').flatMap((i) => i.exec ?? i.text.split(/\s+/));
  return {
    env,
    uid: uid as number,
    gid: gid ?? (uid as number),
    configPath: cmd[cmd.indexOf('-c') + 1] ?? '',
    metricsPort: Number(address.slice(address.lastIndexOf(':') + 1)),
    volumes,
  };
}

/** `name:tag` with a real tag (not latest, not missing). */
export function isPinned(image: string): boolean {
  const m = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+:([A-Za-z0-9._-]+)$/.exec(image);
  return m !== null && m[1] !== 'latest';
}

/**
 * Loads a YAML config: environment interpolation, validation of the whole file in one pass
 * (every problem reported with its path), component options validated by each component's
 * registration, cross references checked (a source's sinks exist, its schema is known), and
 * the result frozen.
 *
 * Relative paths in the file are relative to the working directory of the process.
 *
 * A `.conf` or `.properties` file is a Flume agent config: it is imported (src/flume/) into the
 * same config object a YAML file gives, then validated the same way, `${VAR}` interpolation
 * included (as Flume's EnvVarResolverProperties does; each reference is an import warning), so
 * the .conf and the YAML `import-flume` prints load the same config. Import errors, and
 * validation problems told as the Flume key and line they came from, make a ConfigError; import
 * warnings go to `onWarning`.
 * RXFLUME_HDFS_URL is the default filesystem for bare hdfs.path values, RXFLUME_KAFKA_BROKERS
 * replaces the Kafka sinks' brokers.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, RxfError } from '../core/errors.js';
import { importFlumeConfig } from '../flume/import.js';
import { describeInFlumeTerms } from '../flume/origins.js';
import { formatImportIssue } from '../flume/report.js';
import { interceptorTypes } from '../interceptors/registry.js';
import { deadLetterConfigSchema } from '../sinks/dead-letter/index.js';
import { type AnySinkRegistration, type AnySourceRegistration, sinkTypes, sourceTypes } from './components.js';
import { interpolateEnv } from './interpolate.js';
import { ConfigError, type ConfigPath, ConfigProblems } from './issues.js';
import {
  type AgentOptions,
  COMMON_SINK_KEYS,
  COMMON_SOURCE_KEYS,
  type CommonSinkOptions,
  type CommonSourceOptions,
  commonSinkSchema,
  commonSourceSchema,
  defaultAgentId,
  type MetricsConfig,
  topLevelSchema,
} from './schema.js';

export interface InterceptorSpec {
  readonly type: string;
  /** As written in the file (validated; the chain applies defaults when it builds them). */
  readonly options: unknown;
}

export interface SourceSpec {
  readonly id: string;
  readonly common: CommonSourceOptions;
  readonly options: unknown;
  readonly interceptors: readonly InterceptorSpec[];
  readonly registration: AnySourceRegistration;
}

export interface SinkSpec {
  readonly id: string;
  readonly common: CommonSinkOptions;
  readonly options: unknown;
  readonly registration: AnySinkRegistration;
}

export interface AgentConfig {
  readonly file: string;
  readonly agent: AgentOptions;
  readonly metrics: MetricsConfig;
  readonly deadLetter: ReturnType<typeof deadLetterConfigSchema.parse>;
  readonly schemasDir: string | undefined;
  readonly sources: readonly SourceSpec[];
  readonly sinks: readonly SinkSpec[];
}

export interface LoadOptions {
  /** Flume files: the agent to import when the file holds several (`--agent NAME`). */
  readonly flumeAgent?: string;
  /** Flume files: called with each import warning (`line 12: a1.channels.c1.transactionCapacity: …`). */
  readonly onWarning?: (message: string) => void;
}

/** Whether a config file is a Flume agent properties file (by its extension). */
export function isFlumeConfigFile(file: string): boolean {
  return /\.(conf|properties)$/i.test(file);
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RxfError(ErrorCodes.CONFIG_READ, `cannot read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  return isFlumeConfigFile(file) ? parseFlumeConfig(text, file, env, options) : parseConfig(text, file, env);
}

/** Imports and validates a Flume agent config (see the module header). */
export function parseFlumeConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): AgentConfig {
  const imported = importFlumeConfig(text, {
    ...(options.flumeAgent === undefined ? {} : { agent: options.flumeAgent }),
    ...(env.RXFLUME_HDFS_URL ? { hdfsUrl: env.RXFLUME_HDFS_URL } : {}),
    ...(env.RXFLUME_KAFKA_BROKERS ? { kafkaBrokers: env.RXFLUME_KAFKA_BROKERS } : {}),
  });
  if (imported.errors.length > 0) throw new ConfigError(file, imported.errors.map(formatImportIssue));
  for (const warning of imported.warnings) options.onWarning?.(formatImportIssue(warning));
  try {
    return configFromObject(imported.config, file, env);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new ConfigError(
        file,
        err.problems.map((p) => describeInFlumeTerms(p, imported.origins)),
      );
    throw err;
  }
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const problems = new ConfigProblems();
    problems.add([], `not valid YAML: ${(err as Error).message.split('\n')[0]?.replace(/:$/, '')}`);
    problems.throwIfAny(file);
  }
  return configFromObject(raw ?? {}, file, env);
}

/**
 * Validates a config object (what a YAML file parses to): `${VAR}` interpolation unless
 * `interpolate` is false, then every check, all problems in one ConfigError.
 */
export function configFromObject(
  input: unknown,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: { interpolate?: boolean } = {},
): AgentConfig {
  const problems = new ConfigProblems();
  const raw =
    opts.interpolate === false
      ? input
      : interpolateEnv(input, env, (path, name) =>
          problems.add(path, `environment variable ${name} is not set and has no default (\${${name}:-default})`),
        );
  const top = topLevelSchema.safeParse(raw);
  if (!top.success) {
    problems.addIssues(top.error.issues);
    problems.throwIfAny(file);
  }
  const t = top.data as NonNullable<typeof top.data>;

  const deadLetter = deadLetterConfigSchema.safeParse(t.deadLetter);
  if (!deadLetter.success) problems.addIssues(deadLetter.error.issues, ['deadLetter']);

  const sinks: SinkSpec[] = [];
  for (const [id, entry] of Object.entries(t.sinks)) {
    const spec = component(entry, ['sinks', id], commonSinkSchema, COMMON_SINK_KEYS, sinkTypes, problems);
    if (spec) sinks.push(Object.freeze({ id, ...spec, common: deepFreeze(spec.common), options: deepFreeze(spec.options) }));
  }
  if (Object.keys(t.sinks).length === 0) problems.add(['sinks'], 'at least one sink is required');

  const sources: SourceSpec[] = [];
  for (const [id, entry] of Object.entries(t.sources)) {
    const path = ['sources', id];
    // Cross references are checked even when the source's own options are broken: one pass, all problems.
    const named = Array.isArray(entry.sinks) ? (entry.sinks as unknown[]) : [];
    named.forEach((name, i) => {
      if (typeof name === 'string' && !(name in t.sinks)) {
        problems.add([...path, 'sinks', i], `no sink named "${name}" (defined: ${Object.keys(t.sinks).join(', ') || 'none'})`);
      }
    });
    const spec = component(entry, path, commonSourceSchema, COMMON_SOURCE_KEYS, sourceTypes, problems);
    if (!spec) continue;
    const interceptors = spec.common.interceptors.map((entry, i) => interceptor(entry, [...path, 'interceptors', i], problems));
    sources.push(
      Object.freeze({
        id,
        ...spec,
        common: deepFreeze(spec.common),
        options: deepFreeze(spec.options),
        interceptors: deepFreeze(interceptors),
      }),
    );
  }
  if (Object.keys(t.sources).length === 0) problems.add(['sources'], 'at least one source is required');

  problems.throwIfAny(file);
  return Object.freeze({
    file,
    agent: deepFreeze({ ...t.agent, id: t.agent.id ?? defaultAgentId() }),
    metrics: deepFreeze({ ...t.metrics }),
    deadLetter: deepFreeze(deadLetter.data as AgentConfig['deadLetter']),
    schemasDir: t.schemas.dir,
    sources: Object.freeze(sources),
    sinks: Object.freeze(sinks),
  });
}

function component<C extends { type: string }, R extends { configSchema: import('zod').ZodType }>(
  entry: Record<string, unknown>,
  path: ConfigPath,
  commonSchema: import('zod').ZodType<C>,
  commonKeys: readonly string[],
  types: Readonly<Record<string, R>>,
  problems: ConfigProblems,
): { common: C; options: unknown; registration: R } | undefined {
  const commonPart: Record<string, unknown> = {};
  const ownPart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) (commonKeys.includes(k) ? commonPart : ownPart)[k] = v;
  const common = commonSchema.safeParse(commonPart);
  if (!common.success) problems.addIssues(common.error.issues, path);
  const type = entry.type;
  if (typeof type !== 'string') return undefined;
  const registration = types[type];
  if (!registration) {
    problems.add([...path, 'type'], `unknown type "${type}" (known: ${Object.keys(types).join(', ')})`);
    return undefined;
  }
  const own = registration.configSchema.safeParse(ownPart);
  if (!own.success) problems.addIssues(own.error.issues, path);
  if (!common.success || !own.success) return undefined;
  return { common: common.data, options: own.data, registration };
}

function interceptor(entry: Record<string, unknown>, path: ConfigPath, problems: ConfigProblems): InterceptorSpec {
  const { type, ...rest } = entry as { type: string };
  const registration = interceptorTypes[type];
  if (!registration) {
    problems.add([...path, 'type'], `unknown interceptor "${type}" (known: ${Object.keys(interceptorTypes).join(', ')})`);
    return { type, options: rest };
  }
  const parsed = registration.configSchema.safeParse(rest);
  if (!parsed.success) problems.addIssues(parsed.error.issues, path);
  // The raw options are kept: the interceptor chain parses them itself when it is built.
  return { type, options: rest };
}

/** Freezes plain config data (never call it on registrations: zod schemas cache lazily). */
function deepFreeze<T>(value: T): T {
  const plain = Array.isArray(value) || (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype);
  if (plain && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * What a config reload changes: which pipelines must be drained and rebuilt, which keep running.
 *
 * A pipeline is one source with its interceptors, buffer, parser and the sinks it feeds. It is
 * `changed` when anything it is built from differs: its own options (common and type-specific,
 * interceptors, buffer, schema name/version), the resolved schema text (a schema file edited in
 * the schema folder), the config of any sink it feeds (before or after), or the dead-letter
 * section (every pipeline and lane writes there). Everything else is `unchanged` and must be left
 * running untouched.
 *
 * Comparison is by value over the validated config (defaults applied), with object keys in a
 * canonical order, so reordering YAML keys or spelling out a default changes nothing.
 *
 * `blockers` lists what cannot change while the process runs (agent id and state folder: they
 * name checkpoint and sink files; metrics section: the HTTP server is bound once). A diff with
 * blockers must be rejected as a whole, one line per blocker starting with its config path.
 */
import type { AgentConfig, SinkSpec, SourceSpec } from '../config/load.js';
import type { SchemaRegistry } from '../schemas/registry.js';

export interface IdChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
}

export interface ConfigDiff {
  /** Changes that need a restart, as `path: message` lines; non-empty means reject the reload. */
  readonly blockers: readonly string[];
  /** Pipelines, by source id. `changed` includes pipelines whose sinks or schema changed. */
  readonly sources: IdChanges;
  readonly sinks: IdChanges;
  readonly deadLetterChanged: boolean;
  /** Agent-wide settings that apply live without restarting anything (`agent.drainTimeoutMs`, `schemas.dir`). */
  readonly settingsChanged: readonly string[];
  /** Why each changed pipeline restarts, for the log (`interceptors`, `sink hdfs`, …). */
  readonly reasons: Readonly<Record<string, readonly string[]>>;
}

/** Resolved schema text per source id (sources without a schema are absent). */
export type SchemaTexts = ReadonlyMap<string, string>;

/** The schema text each source resolves to under `config` and `registry`. */
export function schemaTexts(config: AgentConfig, registry: SchemaRegistry): SchemaTexts {
  const out = new Map<string, string>();
  for (const s of config.sources) {
    if (s.common.schema) out.set(s.id, JSON.stringify(registry.get(s.common.schema, s.common.schemaVersion).schema));
  }
  return out;
}

export interface DiffOptions {
  /** The schema each source resolves to, under the previous and the next config. */
  readonly schemas?: { readonly previous: SchemaTexts; readonly next: SchemaTexts };
  /** Source and sink ids to treat as changed whatever the config says (a failed earlier restart). */
  readonly forceRestart?: { readonly sources: ReadonlySet<string>; readonly sinks: ReadonlySet<string> };
}

/** True when nothing at all needs to happen. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  const { sources, sinks } = diff;
  return (
    diff.blockers.length === 0 &&
    !diff.deadLetterChanged &&
    diff.settingsChanged.length === 0 &&
    [sources, sinks].every((c) => c.added.length + c.removed.length + c.changed.length === 0)
  );
}

export function diffConfigs(previous: AgentConfig, next: AgentConfig, opts: DiffOptions = {}): ConfigDiff {
  const force = opts.forceRestart ?? { sources: new Set<string>(), sinks: new Set<string>() };
  const sinks = compareById(previous.sinks, next.sinks, sinkKey, force.sinks);
  const touchedSinks = new Set([...sinks.added, ...sinks.removed, ...sinks.changed]);
  const deadLetterChanged = canonical(previous.deadLetter) !== canonical(next.deadLetter);

  const reasons: Record<string, string[]> = {};
  const prevSources = new Map(previous.sources.map((s) => [s.id, s]));
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const source of next.sources) {
    const before = prevSources.get(source.id);
    if (!before) {
      added.push(source.id);
      continue;
    }
    const why = sourceChanges(before, source, touchedSinks, opts.schemas);
    if (deadLetterChanged) why.push('deadLetter');
    if (force.sources.has(source.id)) why.push('restart after an earlier failure');
    if (why.length > 0) {
      changed.push(source.id);
      reasons[source.id] = why;
    } else {
      unchanged.push(source.id);
    }
  }
  const nextIds = new Set(next.sources.map((s) => s.id));
  const removed = previous.sources.filter((s) => !nextIds.has(s.id)).map((s) => s.id);

  return {
    blockers: blockersOf(previous, next),
    sources: { added, removed, changed, unchanged },
    sinks,
    deadLetterChanged,
    settingsChanged: liveSettingsChanged(previous, next),
    reasons,
  };
}

function sourceChanges(
  before: SourceSpec,
  after: SourceSpec,
  touchedSinks: ReadonlySet<string>,
  schemas: DiffOptions['schemas'],
): string[] {
  const why: string[] = [];
  const { interceptors: ia, buffer: ba, sinks: sa, ...restBefore } = before.common;
  const { interceptors: ib, buffer: bb, sinks: sb, ...restAfter } = after.common;
  if (canonical(ia) !== canonical(ib)) why.push('interceptors');
  if (canonical(ba) !== canonical(bb)) why.push('buffer');
  if (canonical(sa) !== canonical(sb)) why.push('sinks');
  if (canonical(restBefore) !== canonical(restAfter) || canonical(before.options) !== canonical(after.options)) why.push('options');
  for (const sink of new Set([...sa, ...sb])) if (touchedSinks.has(sink)) why.push(`sink ${sink}`);
  if (schemas && schemas.previous.get(before.id) !== schemas.next.get(after.id)) why.push('schema');
  return [...new Set(why)];
}

function blockersOf(previous: AgentConfig, next: AgentConfig): string[] {
  const out: string[] = [];
  const check = (path: string, a: unknown, b: unknown, why: string): void => {
    if (canonical(a) !== canonical(b)) out.push(`${path}: changed from ${canonical(a)} to ${canonical(b)}; ${why}`);
  };
  const restart = 'applies only at start: restart the agent (the old config keeps running)';
  check('agent.id', previous.agent.id, next.agent.id, `it names checkpoint and sink files, so it ${restart}`);
  check('agent.stateDir', previous.agent.stateDir, next.agent.stateDir, `it holds the checkpoints, so it ${restart}`);
  check('metrics.address', previous.metrics.address, next.metrics.address, `the metrics server ${restart}`);
  check('metrics.enabled', previous.metrics.enabled, next.metrics.enabled, `the metrics switch ${restart}`);
  return out;
}

function liveSettingsChanged(previous: AgentConfig, next: AgentConfig): string[] {
  const out: string[] = [];
  if (previous.agent.drainTimeoutMs !== next.agent.drainTimeoutMs) out.push('agent.drainTimeoutMs');
  if (previous.schemasDir !== next.schemasDir) out.push('schemas.dir');
  return out;
}

function sinkKey(spec: SinkSpec): string {
  return canonical({ common: spec.common, options: spec.options });
}

function compareById<T extends { readonly id: string }>(
  previous: readonly T[],
  next: readonly T[],
  key: (spec: T) => string,
  force: ReadonlySet<string>,
): IdChanges {
  const before = new Map(previous.map((s) => [s.id, s]));
  const nextIds = new Set(next.map((s) => s.id));
  const out = { added: [] as string[], removed: [] as string[], changed: [] as string[], unchanged: [] as string[] };
  for (const spec of next) {
    const old = before.get(spec.id);
    if (!old) out.added.push(spec.id);
    else if (force.has(spec.id) || key(old) !== key(spec)) out.changed.push(spec.id);
    else out.unchanged.push(spec.id);
  }
  for (const spec of previous) if (!nextIds.has(spec.id)) out.removed.push(spec.id);
  return out;
}

/** JSON with object keys sorted, so equal configs compare equal however they were written. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

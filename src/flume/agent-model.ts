/**
 * The Flume agent model: which agents a properties file holds, and for one of them its sources,
 * channels and sinks with their own properties (`<agent>.<kind>.<name>.<property>`).
 *
 * Invariants:
 * - Only components listed in `<agent>.sources|channels|sinks` are active (as in Flume); the
 *   properties of an unlisted one are each reported and ignored.
 * - Every property a mapper reads is marked used; after mapping, whatever was never read is
 *   reported by the importer (see `unused`), so nothing is dropped silently.
 * - Values are trimmed as Java trims (Flume does); a property whose value is then empty is
 *   ignored, as Flume ignores it, with a warning. Keys are case-sensitive.
 */
import { javaTrim, type PropertyEntry } from './properties.js';
import type { ImportReport } from './report.js';

export type ComponentKind = 'sources' | 'channels' | 'sinks';
const KINDS: readonly ComponentKind[] = ['sources', 'channels', 'sinks'];
const AGENT_LISTS = new Set<string>([...KINDS, 'sinkgroups']);

/** One source, channel or sink and its properties (keys relative to `<agent>.<kind>.<name>.`). */
export class FlumeComponent {
  private readonly used = new Set<string>();

  constructor(
    readonly kind: ComponentKind,
    readonly name: string,
    readonly prefix: string,
    private readonly props: ReadonlyMap<string, PropertyEntry>,
    /** Where the component is listed (`<agent>.sources = …`): the fallback line for messages. */
    readonly listedAt: PropertyEntry,
  ) {}

  has(sub: string): boolean {
    return this.props.has(sub);
  }

  /** The entry of `sub`, marked used. */
  entry(sub: string): PropertyEntry | undefined {
    const e = this.props.get(sub);
    if (e) this.used.add(sub);
    return e;
  }

  /** The trimmed value of `sub`, marked used. */
  value(sub: string): string | undefined {
    const e = this.entry(sub);
    return e === undefined ? undefined : javaTrim(e.value);
  }

  /** The whitespace-separated names in `sub` (`channels`, `interceptors`, …), marked used; [] when unset. */
  names(sub: string): string[] {
    return (this.value(sub) ?? '').split(/\s+/).filter(Boolean);
  }

  /** Where to point a message about `sub`: its own line, else the type's, else the listing. */
  at(sub: string): { key: string; line: number } {
    const e = this.props.get(sub) ?? this.props.get('type') ?? this.listedAt;
    return { key: `${this.prefix}.${sub}`, line: e.line };
  }

  /** Sub-keys starting with `prefix` (e.g. `interceptors.i1.`), in file order. */
  keysUnder(prefix: string): string[] {
    return [...this.props.keys()].filter((k) => k.startsWith(prefix));
  }

  get type(): string | undefined {
    return this.value('type');
  }

  /** Properties no mapper read. */
  unused(): PropertyEntry[] {
    return [...this.props.entries()].filter(([k]) => !this.used.has(k)).map(([, e]) => e);
  }
}

export interface AgentModel {
  readonly name: string;
  readonly sources: readonly FlumeComponent[];
  readonly channels: ReadonlyMap<string, FlumeComponent>;
  readonly sinks: readonly FlumeComponent[];
}

/** Agent names in file order: first segments of keys like `<agent>.sources`. */
export function agentNames(entries: readonly PropertyEntry[]): string[] {
  const names: string[] = [];
  for (const e of entries) {
    const [agent, second] = e.key.split('.');
    if (agent && second && AGENT_LISTS.has(second) && !names.includes(agent)) names.push(agent);
  }
  return names;
}

/** The agent to import: the one asked for, or the only one; otherwise a message saying why not. */
export function selectAgent(entries: readonly PropertyEntry[], wanted: string | undefined): { agent: string } | { problem: string } {
  const names = agentNames(entries);
  if (wanted !== undefined) {
    return names.includes(wanted)
      ? { agent: wanted }
      : { problem: `no agent named "${wanted}" in this file (agents: ${names.join(', ') || 'none'})` };
  }
  if (names.length === 1) return { agent: names[0] as string };
  if (names.length === 0) return { problem: 'no Flume agent found (expected lines like `a1.sources = r1`)' };
  return { problem: `the file holds several agents (${names.join(', ')}): choose one with --agent NAME` };
}

export function buildAgentModel(entries: readonly PropertyEntry[], agent: string, report: ImportReport): AgentModel {
  const lists = new Map<ComponentKind, { entry: PropertyEntry; names: string[] }>();
  const props = new Map<string, Map<string, PropertyEntry>>();
  const otherAgents = new Set(agentNames(entries).filter((n) => n !== agent));
  for (const e of entries) {
    const parts = e.key.split('.');
    const first = parts[0] as string;
    if (first !== agent) {
      if (!otherAgents.has(first))
        report.warn(e, `not a property of agent ${agent} (or of any agent in this file): ignored, as Flume does`);
      continue;
    }
    if (javaTrim(e.value) === '') {
      report.warn(e, 'empty value: Flume ignores the property, and so does the import');
      continue;
    }
    const kind = parts[1];
    if (kind === 'sinkgroups') {
      report.error(e, 'sink groups (failover, load_balance sink processors) are not supported: give each sink its own channel');
    } else if (kind === 'configfilters') {
      report.error(e, 'config filters are not supported: write the values into the file (an imported YAML can read environment variables)');
    } else if (!KINDS.includes(kind as ComponentKind)) {
      report.error(e, `unknown agent property (expected ${agent}.sources, ${agent}.channels or ${agent}.sinks)`);
    } else if (parts.length === 2) {
      lists.set(kind as ComponentKind, { entry: e, names: e.value.trim().split(/\s+/).filter(Boolean) });
    } else if (parts.length === 3) {
      report.error(e, `incomplete key: expected ${e.key}.<property>`);
    } else {
      const id = `${kind}.${parts[2]}`;
      const sub = parts.slice(3).join('.');
      if (!props.has(id)) props.set(id, new Map());
      props.get(id)?.set(sub, e);
    }
  }
  const build = (kind: ComponentKind): FlumeComponent[] => {
    const list = lists.get(kind);
    if (!list) {
      if (kind !== 'channels' || [...props.keys()].some((k) => k.startsWith('channels.')))
        report.error({ key: `${agent}.${kind}` }, `missing: list the agent's ${kind} (${agent}.${kind} = name1 name2)`);
      return [];
    }
    const out: FlumeComponent[] = [];
    for (const name of new Set(list.names)) {
      const own = props.get(`${kind}.${name}`) ?? new Map<string, PropertyEntry>();
      const component = new FlumeComponent(kind, name, `${agent}.${kind}.${name}`, own, list.entry);
      if (!own.has('type')) report.error(component.at('type'), `${kind.slice(0, -1)} ${name} has no type`);
      out.push(component);
    }
    for (const [id, own] of props) {
      const [k, name] = id.split('.') as [ComponentKind, string];
      if (k !== kind || list.names.includes(name)) continue;
      for (const e of own.values()) report.warn(e, `${name} is not listed in ${agent}.${kind}: ignored, as Flume does`);
    }
    return out;
  };
  const sources = build('sources');
  const channels = build('channels');
  const sinks = build('sinks');
  return { name: agent, sources, channels: new Map(channels.map((c) => [c.name, c])), sinks };
}

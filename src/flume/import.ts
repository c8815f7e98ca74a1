/**
 * Flume agent properties → an rxflume config object (the shape of a YAML config, before
 * validation), with every property that did not carry over reported by key and line.
 *
 * Wiring: a Flume source puts events into its channels and each sink drains one channel; an
 * rxflume source names its sinks directly and owns one bounded buffer. So a source's `sinks`
 * are the sinks draining its channels and its `buffer` comes from its (first) channel. A channel
 * drained by several sinks is an error: Flume splits its events among them, rxflume would copy
 * every event to each.
 *
 * Guarantees: the result never silently drops a property (each is mapped, warned about, or an
 * error); `origins` maps each produced option path (`sinks.k1.acks`) to its Flume key and line,
 * so validation problems can be told in Flume terms. With errors, `config` must not be run.
 */
import { buildAgentModel, type FlumeComponent, selectAgent } from './agent-model.js';
import { type MappedChannel, mapChannel } from './channels.js';
import { reportEnvReferences } from './env-references.js';
import { mapFileRollSink, mapHdfsSink } from './file-sinks.js';
import { mapInterceptors } from './interceptors.js';
import { KAFKA_SINK_CLASS, mapKafkaSink } from './kafka-sink.js';
import { type FlumeImportOptions, MappingContext, type Origin, type RawSection, typeAlias } from './mapping-context.js';
import { parseProperties } from './properties.js';
import { type ImportIssue, ImportReport } from './report.js';
import { mapSource } from './sources.js';

export interface FlumeImportResult {
  /** The imported agent's name ('' when none could be chosen). */
  readonly agent: string;
  readonly config: RawSection;
  readonly warnings: readonly ImportIssue[];
  readonly errors: readonly ImportIssue[];
  readonly origins: ReadonlyMap<string, Origin>;
}

const SINK_CLASSES: Record<string, string> = {
  'org.apache.flume.sink.hdfs.HDFSEventSink': 'hdfs',
  'org.apache.flume.sink.LoggerSink': 'logger',
  'org.apache.flume.sink.RollingFileSink': 'file_roll',
  [KAFKA_SINK_CLASS]: 'kafka',
};

const ID = /^[A-Za-z0-9_.-]+$/;

function safeId(name: string, at: { key: string; line?: number }, report: ImportReport): string {
  if (ID.test(name)) return name;
  const id = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  report.warn(at, `"${name}" is not a valid rxflume id (it names files): used as "${id}"`);
  return id;
}

function mapSink(c: FlumeComponent, ctx: MappingContext): RawSection | undefined {
  const type = c.type;
  if (type === undefined) return undefined;
  const kind = typeAlias(type, SINK_CLASSES);
  if (kind === 'hdfs') return mapHdfsSink(c, ctx);
  if (kind === 'kafka' && type === KAFKA_SINK_CLASS) return mapKafkaSink(c, ctx);
  if (kind === 'file_roll') return mapFileRollSink(c, ctx);
  if (kind === 'logger') {
    const s: RawSection = { type: 'logger' };
    const max = ctx.int(c, 'maxBytesToLog');
    if (max !== undefined) ctx.put(s, `sinks.${c.name}`, 'maxBytesToLog', max, c, 'maxBytesToLog');
    return s;
  }
  ctx.report.error(c.at('type'), `sink type "${type}" is not supported (hdfs, ${KAFKA_SINK_CLASS}, logger, file_roll)`);
  return undefined;
}

/** Reports what no mapper read: a listed-but-unconfigured interceptor is Flume-ignored, the rest unsupported. */
function reportUnused(c: FlumeComponent, report: ImportReport): void {
  const listed = new Set(c.names('interceptors'));
  for (const e of c.unused()) {
    const sub = e.key.slice(c.prefix.length + 1);
    const interceptor = /^interceptors\.([^.]+)\./.exec(sub)?.[1];
    if (interceptor !== undefined && !listed.has(interceptor))
      report.warn(e, `interceptor ${interceptor} is not listed in ${c.prefix}.interceptors: ignored, as Flume does`);
    else report.error(e, `unknown or unsupported property of this ${c.kind.slice(0, -1)} (type ${c.type ?? '?'})`);
  }
}

export function importFlumeConfig(text: string, options: FlumeImportOptions = {}): FlumeImportResult {
  const report = new ImportReport();
  const ctx = new MappingContext(report, options);
  const parsed = parseProperties(text);
  for (const p of parsed.problems) report.error({ key: p.key ?? '(file)', line: p.line }, p.message);
  for (const e of parsed.entries) {
    for (const line of parsed.overridden.get(e.key) ?? [])
      report.warn({ key: e.key, line }, `set again on line ${e.line}: the last value wins`);
  }
  const chosen = selectAgent(parsed.entries, options.agent);
  if ('problem' in chosen) {
    report.error({ key: '(agent)' }, chosen.problem);
    return { agent: '', config: {}, warnings: report.warnings, errors: report.errors, origins: ctx.origins };
  }
  const model = buildAgentModel(parsed.entries, chosen.agent, report);

  const channels = new Map<string, MappedChannel>();
  const mappedComponents = new Set<FlumeComponent>();
  for (const c of model.channels.values()) {
    const mapped = mapChannel(c, ctx);
    if (mapped) channels.set(c.name, mapped);
    if (mapped) mappedComponents.add(c);
  }

  const sinks: Record<string, RawSection> = {};
  const drainers = new Map<string, string[]>();
  const sinkIds = new Map<string, string>();
  for (const c of model.sinks) {
    const id = safeId(c.name, c.at('type'), report);
    const channel = c.value('channel');
    if (channel === undefined) report.error(c.at('channel'), `sink ${c.name} names no channel`);
    else if (!model.channels.has(channel)) report.error(c.at('channel'), `no channel named "${channel}" in ${model.name}.channels`);
    else drainers.set(channel, [...(drainers.get(channel) ?? []), id]);
    const section = mapSink(c, ctx);
    if (!section) continue;
    mappedComponents.add(c);
    sinks[id] = section;
    sinkIds.set(c.name, id);
  }
  for (const [channel, ids] of drainers) {
    if (ids.length > 1)
      report.error(
        model.channels.get(channel)?.at('type') ?? { key: channel },
        `channel ${channel} is drained by several sinks (${ids.join(', ')}): Flume splits its events among them, rxflume would copy each event to all; give each sink its own channel`,
      );
  }

  const sources: Record<string, RawSection> = {};
  const fedChannels = new Set<string>();
  for (const c of model.sources) {
    const names = c.names('channels');
    if (names.length === 0) report.error(c.at('channels'), `source ${c.name} names no channels`);
    const known = names.filter((n) => {
      if (model.channels.has(n)) return true;
      report.error(c.at('channels'), `no channel named "${n}" in ${model.name}.channels`);
      return false;
    });
    for (const n of known) fedChannels.add(n);
    const selector = c.value('selector.type');
    if (selector !== undefined && selector.toLowerCase() !== 'replicating')
      report.error(
        c.at('selector.type'),
        `channel selector ${selector} is not supported: every event goes to all the source's channels (replicating)`,
      );
    const mapped = mapSource(c, ctx);
    if (mapped.length > 0) mappedComponents.add(c);
    const interceptors = mapInterceptors(c, '@source', ctx);
    const sinkNames = known.flatMap((n) => drainers.get(n) ?? []);
    if (known.length > 0 && sinkNames.length === 0)
      report.error(c.at('channels'), `no sink drains ${known.join(', ')}: events would pile up`);
    const buffers = known.map((n) => channels.get(n)).filter((b): b is MappedChannel => b !== undefined);
    if (buffers.length > 1) report.warn(c.at('channels'), `several channels: one buffer, sized like the first (${known[0]})`);
    for (const m of mapped) {
      const id = safeId(m.id, c.at('type'), report);
      const path = `sources.${id}`;
      const all = [...m.leadingInterceptors, ...interceptors];
      const section: RawSection = { ...m.section, sinks: sinkNames };
      if (all.length > 0) section.interceptors = all;
      const buffer = buffers[0];
      if (buffer) {
        section.buffer = { ...buffer.buffer };
        for (const [field, origin] of buffer.origins) ctx.origins.set(`${path}.buffer.${field}`, origin);
      }
      for (const [k, origin] of ctx.origins) {
        const m2 = /^@source\.interceptors\.(\d+)(.*)$/.exec(k);
        if (m2) ctx.origins.set(`${path}.interceptors.${Number(m2[1]) + m.leadingInterceptors.length}${m2[2]}`, origin);
      }
      sources[id] = section;
    }
    for (const k of [...ctx.origins.keys()]) if (k.startsWith('@source')) ctx.origins.delete(k);
  }
  for (const [name, c] of model.channels) {
    const shared = model.sources.filter((s) => s.names('channels').includes(name));
    if (shared.length > 1)
      report.warn(c.at('type'), `shared by ${shared.map((s) => s.name).join(', ')}: each source gets its own buffer of this size`);
    if (!fedChannels.has(name)) report.warn(c.at('type'), `no source puts events into channel ${name}`);
  }
  for (const c of [...model.sources, ...model.channels.values(), ...model.sinks]) if (mappedComponents.has(c)) reportUnused(c, report);

  const config: RawSection = { agent: { id: safeId(model.name, { key: model.name }, report) }, sources, sinks };
  reportEnvReferences(config, ctx.origins, report);
  return { agent: model.name, config, warnings: report.warnings, errors: report.errors, origins: ctx.origins };
}

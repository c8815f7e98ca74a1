/**
 * Flume sources → rxflume sources (the type-specific options; channels, interceptors and the
 * buffer are added by the importer).
 *
 *   spooldir  → spooldir: same option names; Flume's batchSize default (100) is kept; include/
 *               ignorePattern are anchored (^(?:…)$) since Flume matches the whole file name.
 *   exec      → tail, when the command is `tail -F|-f FILE` (tail-command.ts); batchSize default 20.
 *   TAILDIR   → one tail source per file group (`<src>` for one group, `<src>_<group>` for
 *               several); `headers.<group>.<k> = v` → a static interceptor first in the chain;
 *               skipToEnd → startAt; the positionFile is not read (rxflume keeps its own
 *               checkpoints), which is reported.
 */
import type { FlumeComponent } from './agent-model.js';
import { type MappingContext, type RawSection, typeAlias } from './mapping-context.js';
import { parseTailCommand } from './tail-command.js';

export interface MappedSource {
  readonly id: string;
  readonly section: RawSection;
  /** Interceptors that run before the configured chain (TAILDIR headers). */
  readonly leadingInterceptors: readonly RawSection[];
}

const SOURCE_CLASSES: Record<string, string> = {
  'org.apache.flume.source.SpoolDirectorySource': 'spooldir',
  'org.apache.flume.source.ExecSource': 'exec',
  'org.apache.flume.source.taildir.TaildirSource': 'taildir',
};

const SAME_NAME_SPOOLDIR = [
  'fileSuffix',
  'deletePolicy',
  'fileHeaderKey',
  'basenameHeaderKey',
  'includePattern',
  'ignorePattern',
  'consumeOrder',
];
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const STATE_NOTE = 'rxflume keeps its own checkpoints in agent.stateDir';

export function mapSource(c: FlumeComponent, ctx: MappingContext): MappedSource[] {
  const type = c.type;
  if (type === undefined) return [];
  const kind = typeAlias(type, SOURCE_CLASSES);
  if (kind === 'spooldir') return [spooldir(c, ctx)];
  if (kind === 'exec') return exec(c, ctx);
  if (kind === 'taildir') return taildir(c, ctx);
  ctx.report.error(c.at('type'), `source type "${type}" is not supported (spooldir, exec with tail -F, TAILDIR)`);
  return [];
}

function charset(c: FlumeComponent, sub: string, ctx: MappingContext): void {
  const value = c.value(sub);
  if (value !== undefined && !UTF8_NAMES.has(value.toLowerCase()))
    ctx.report.error(c.at(sub), `charset ${value} is not supported: rxflume carries lines as UTF-8 bytes, unconverted`);
}

function batchSize(c: FlumeComponent, path: string, section: RawSection, flumeDefault: number, ctx: MappingContext): void {
  const n = ctx.int(c, 'batchSize', 1);
  if (n !== undefined) ctx.put(section, path, 'batchSize', n, c, 'batchSize');
  else section.batchSize = flumeDefault;
}

/**
 * A spooldir option value in rxflume's terms. Flume tests file names with Java's `matches()`
 * (the whole name), rxflume with `RegExp.test` (anywhere in it): anchoring keeps Flume's meaning,
 * so `ignorePattern = backup` never skips status-backup.log.
 */
function spooldirValue(name: string, value: string): string {
  if (name === 'includePattern' || name === 'ignorePattern') return `^(?:${value})$`;
  if (name === 'deletePolicy' || name === 'consumeOrder') return value.toLowerCase();
  return value;
}

function spooldir(c: FlumeComponent, ctx: MappingContext): MappedSource {
  const path = `sources.${c.name}`;
  const s: RawSection = { type: 'spooldir' };
  const dir = c.value('spoolDir');
  if (dir === undefined) ctx.report.error(c.at('spoolDir'), 'required: the spooling directory');
  else ctx.put(s, path, 'spoolDir', dir, c, 'spoolDir');
  for (const name of SAME_NAME_SPOOLDIR) {
    const v = c.value(name);
    if (v !== undefined) ctx.put(s, path, name, spooldirValue(name, v), c, name);
  }
  for (const name of ['fileHeader', 'basenameHeader']) {
    const v = ctx.bool(c, name);
    if (v !== undefined) ctx.put(s, path, name, v, c, name);
  }
  const pollDelay = ctx.int(c, 'pollDelay', 1);
  if (pollDelay !== undefined) ctx.put(s, path, 'pollDelay', pollDelay, c, 'pollDelay');
  batchSize(c, path, s, 100, ctx);
  charset(c, 'inputCharset', ctx);
  charset(c, 'deserializer.outputCharset', ctx);
  const deserializer = c.value('deserializer');
  if (deserializer !== undefined && deserializer.toUpperCase() !== 'LINE' && !deserializer.endsWith('LineDeserializer$Builder'))
    ctx.report.error(c.at('deserializer'), `deserializer ${deserializer} is not supported (rxflume reads lines)`);
  const maxLine = ctx.int(c, 'deserializer.maxLineLength', 1);
  if (maxLine !== undefined) {
    ctx.put(s, path, 'maxLineBytes', maxLine, c, 'deserializer.maxLineLength');
    ctx.report.warn(
      c.at('deserializer.maxLineLength'),
      'longer lines are dead-lettered whole (Flume cut them and passed the rest on as new lines)',
    );
  }
  const policy = c.value('decodeErrorPolicy');
  if (policy !== undefined && policy.toUpperCase() !== 'FAIL')
    ctx.report.warn(
      c.at('decodeErrorPolicy'),
      'rxflume carries undecodable bytes unchanged; parsed (schema) sources dead-letter such lines',
    );
  const tracking = c.value('trackingPolicy');
  if (tracking !== undefined && tracking.toLowerCase() !== 'rename')
    ctx.report.error(
      c.at('trackingPolicy'),
      'only the rename policy is supported (deletePolicy never renames finished files with fileSuffix)',
    );
  if (ctx.bool(c, 'recursiveDirectorySearch') === true)
    ctx.report.error(c.at('recursiveDirectorySearch'), 'subfolders are not read: spool into one folder');
  ctx.harmless(c, 'trackerDir', STATE_NOTE);
  ctx.harmless(c, 'maxBackoff', 'rxflume waits for buffer room (backpressure) instead of backing off');
  ctx.harmless(c, 'bufferMaxLines', 'deprecated in Flume and unused');
  ctx.harmless(c, 'bufferMaxLineLength', 'deprecated in Flume: use deserializer.maxLineLength');
  return { id: c.name, section: s, leadingInterceptors: [] };
}

function exec(c: FlumeComponent, ctx: MappingContext): MappedSource[] {
  const path = `sources.${c.name}`;
  const command = c.value('command');
  if (command === undefined) {
    ctx.report.error(c.at('command'), 'required: the command (only tail -F FILE maps)');
    return [];
  }
  const tail = parseTailCommand(command);
  if ('problem' in tail) {
    ctx.report.error(c.at('command'), tail.problem);
    return [];
  }
  const s: RawSection = { type: 'tail' };
  ctx.put(s, path, 'path', tail.file, c, 'command');
  ctx.put(s, path, 'startAt', tail.start.kind === 'end' ? 'end' : 'beginning', c, 'command');
  if (!tail.byName)
    ctx.report.warn(
      c.at('command'),
      'tail -f follows the open file; rxflume follows the name like tail -F, so a rotated file is drained and the new one read',
    );
  if (tail.start.kind === 'last')
    ctx.report.warn(
      c.at('command'),
      `tail starts with the last ${tail.start.lines} lines; rxflume reads the file from its beginning on the first run, then resumes from its checkpoint`,
    );
  batchSize(c, path, s, 20, ctx);
  charset(c, 'charset', ctx);
  ctx.harmless(c, 'shell', 'no shell is started: the tail command is mapped to the tail source');
  ctx.harmless(c, 'restart', 'the tail source never exits, so there is nothing to restart');
  ctx.harmless(c, 'restartThrottle', 'the tail source never exits, so there is nothing to restart');
  ctx.harmless(c, 'logStdErr', 'no process runs, so there is no stderr to log');
  ctx.harmless(c, 'batchTimeout', 'the tail source emits what it has read at once (no wait to fill a batch)');
  return [{ id: c.name, section: s, leadingInterceptors: [] }];
}

/** The literal file name of a TAILDIR pattern, or undefined when the name really is a regex. */
function literalName(pattern: string): string | undefined {
  const unescaped = pattern.replace(/\\\./g, '.');
  return /[\\^$*+?()[\]{}|]/.test(unescaped) ? undefined : unescaped;
}

function taildir(c: FlumeComponent, ctx: MappingContext): MappedSource[] {
  const groups = c.names('filegroups');
  if (groups.length === 0) {
    ctx.report.error(c.at('filegroups'), 'required: the file groups (filegroups = f1 f2)');
    return [];
  }
  ctx.harmless(c, 'positionFile', `the position file is not read: ${STATE_NOTE} (the first run starts as skipToEnd says)`);
  for (const sub of [
    'idleTimeout',
    'writePosInterval',
    'backoffSleepIncrement',
    'maxBackoffSleep',
    'cachePatternMatching',
    'maxBatchCount',
  ])
    ctx.harmless(c, sub, "tuning of Flume's TAILDIR reader; the tail source polls and checkpoints by itself");
  if (ctx.bool(c, 'byteOffsetHeader') === true)
    ctx.report.error(c.at('byteOffsetHeader'), 'no byte offset header: the offset is part of each event id (rxflume.event.id)');
  const skipToEnd = ctx.bool(c, 'skipToEnd');
  const fileHeader = ctx.bool(c, 'fileHeader');
  const fileHeaderKey = c.value('fileHeaderKey');
  const batch = ctx.int(c, 'batchSize', 1);
  const out: MappedSource[] = [];
  for (const group of groups) {
    const id = groups.length === 1 ? c.name : `${c.name}_${group}`;
    const path = `sources.${id}`;
    const sub = `filegroups.${group}`;
    const file = c.value(sub);
    if (file === undefined) {
      ctx.report.error(c.at(sub), `required: the file of group ${group}`);
      continue;
    }
    const slash = file.lastIndexOf('/');
    const name = literalName(file.slice(slash + 1));
    if (name === undefined) {
      ctx.report.error(c.at(sub), 'a file-name regex is not supported: the tail source follows one named file (one group per file)');
      continue;
    }
    const s: RawSection = { type: 'tail' };
    ctx.put(s, path, 'path', file.slice(0, slash + 1) + name, c, sub);
    ctx.put(s, path, 'startAt', skipToEnd ? 'end' : 'beginning', c, skipToEnd === undefined ? sub : 'skipToEnd');
    if (batch !== undefined) ctx.put(s, path, 'batchSize', batch, c, 'batchSize');
    else s.batchSize = 100;
    if (fileHeader !== undefined) ctx.put(s, path, 'fileHeader', fileHeader, c, 'fileHeader');
    if (fileHeaderKey !== undefined) ctx.put(s, path, 'fileHeaderKey', fileHeaderKey, c, 'fileHeaderKey');
    const leading: RawSection[] = [];
    for (const key of c.keysUnder(`headers.${group}.`)) {
      leading.push({ type: 'static', key: key.slice(`headers.${group}.`.length), value: c.value(key) ?? '', preserveExisting: false });
    }
    out.push({ id, section: s, leadingInterceptors: leading });
  }
  for (const key of c.keysUnder('headers.')) {
    if (groups.some((g) => key.startsWith(`headers.${g}.`))) continue;
    c.entry(key);
    ctx.report.error(c.at(key), 'names no file group of this source');
  }
  for (const key of c.keysUnder('filegroups.')) {
    if (groups.includes(key.slice('filegroups.'.length))) continue;
    c.entry(key);
    ctx.report.warn(c.at(key), 'file group not listed in filegroups: ignored, as Flume does');
  }
  return out;
}

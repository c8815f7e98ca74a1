/**
 * A source's Flume interceptor chain (`<src>.interceptors = i1 i2`, then
 * `<src>.interceptors.<name>.*`) → rxflume interceptor entries, in the same order.
 *
 *   timestamp        header (Flume headerName), preserveExisting
 *   static           key, value, preserveExisting
 *   host             hostHeader, useIP, preserveExisting
 *   regex_filter     regex, excludeEvents
 *   regex_extractor  regex, serializers = s1 s2 with serializers.<s>.name|type|pattern
 *                    (type default / RegexExtractorInterceptorPassThroughSerializer → default,
 *                    RegexExtractorInterceptorMillisSerializer → millis)
 *   search_replace   searchPattern, replaceString (trimmed as Flume does, Java's $1 / ${name} / \$
 *                    syntax → JavaScript's: java-replacement.ts), charset
 *   …CollectDayInterceptor$Builder (the seed's custom class) → append_field `,yyyyMMdd` (warned:
 *                    the date comes from the timestamp header when set, else the clock)
 * Types are Flume aliases (case-insensitive) or the built-in class names. Regexes are Java ones;
 * the common syntax is the same in JavaScript, and a pattern JavaScript rejects is a config error.
 */
import type { FlumeComponent } from './agent-model.js';
import { javaReplacementToJs } from './java-replacement.js';
import { type MappingContext, type RawSection, typeAlias } from './mapping-context.js';
import { javaTrim } from './properties.js';

const INTERCEPTOR_CLASSES: Record<string, string> = {
  'org.apache.flume.interceptor.TimestampInterceptor$Builder': 'timestamp',
  'org.apache.flume.interceptor.StaticInterceptor$Builder': 'static',
  'org.apache.flume.interceptor.HostInterceptor$Builder': 'host',
  'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder': 'regex_filter',
  'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder': 'regex_extractor',
  'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder': 'search_replace',
};

const SERIALIZER_CLASSES: Record<string, 'default' | 'millis'> = {
  default: 'default',
  'org.apache.flume.interceptor.RegexExtractorInterceptorPassThroughSerializer': 'default',
  'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer': 'millis',
};

/** Flume option name → rxflume option name, per interceptor type (same name unless listed). */
const OPTIONS: Record<string, Record<string, string>> = {
  timestamp: { headerName: 'header', preserveExisting: 'preserveExisting' },
  static: { key: 'key', value: 'value', preserveExisting: 'preserveExisting' },
  host: { hostHeader: 'hostHeader', useIP: 'useIP', preserveExisting: 'preserveExisting' },
  regex_filter: { regex: 'regex', excludeEvents: 'excludeEvents' },
  // replaceString is read by searchReplace() below: it needs Java → JavaScript translation.
  search_replace: { searchPattern: 'searchPattern', charset: 'charset' },
};
const BOOLEAN_OPTIONS = new Set(['preserveExisting', 'useIP', 'excludeEvents']);

/** Flume regex_filter's default pattern: every event matches. */
const FLUME_DEFAULT_FILTER = '.*';

export function mapInterceptors(c: FlumeComponent, path: string, ctx: MappingContext): RawSection[] {
  const names = c.names('interceptors');
  const out: RawSection[] = [];
  names.forEach((name, index) => {
    const base = `interceptors.${name}`;
    const at = `${path}.interceptors.${index}`;
    const type = c.value(`${base}.type`);
    if (type === undefined) {
      ctx.report.error({ key: `${c.prefix}.${base}.type`, line: c.at('interceptors').line }, `interceptor ${name} has no type`);
      // Its other properties cannot be judged without a type: the one error covers them.
      for (const sub of c.keysUnder(`${base}.`)) c.entry(sub);
      return;
    }
    if (type.endsWith('CollectDayInterceptor$Builder')) {
      out.push({ type: 'append_field', delimiter: ',', format: 'yyyyMMdd' });
      ctx.origins.set(at, c.at(`${base}.type`));
      ctx.report.warn(
        c.at(`${base}.type`),
        "the seed's custom interceptor is mapped to append_field (',' + yyyyMMdd): the date is taken from the timestamp header when an earlier interceptor set it, else from the clock (the Java class always used the clock)",
      );
      return;
    }
    const kind = typeAlias(type, INTERCEPTOR_CLASSES);
    if (kind === 'regex_extractor') {
      const entry = regexExtractor(c, base, at, ctx);
      if (entry) out.push(entry);
      return;
    }
    const options = OPTIONS[kind];
    if (!options) {
      ctx.report.error(
        c.at(`${base}.type`),
        `interceptor type "${type}" is not supported (supported: timestamp, static, host, regex_filter, regex_extractor, search_replace)`,
      );
      return;
    }
    const entry: RawSection = { type: kind };
    ctx.origins.set(at, c.at(`${base}.type`));
    for (const [flumeName, ourName] of Object.entries(options)) {
      const sub = `${base}.${flumeName}`;
      if (!c.has(sub)) continue;
      const value = BOOLEAN_OPTIONS.has(flumeName) ? ctx.bool(c, sub) : c.value(sub);
      if (value !== undefined) ctx.put(entry, at, ourName, value, c, sub);
    }
    if (kind === 'regex_filter' && entry.regex === undefined) entry.regex = FLUME_DEFAULT_FILTER;
    if (kind === 'search_replace') searchReplace(c, base, at, entry, ctx);
    out.push(entry);
  });
  return out;
}

/**
 * replaceString as Flume applies it: trimmed (Flume trims every value; an empty one is ignored,
 * which also means ""), then read with Java's replacement syntax (java-replacement.ts).
 */
function searchReplace(c: FlumeComponent, base: string, at: string, entry: RawSection, ctx: MappingContext): void {
  const sub = `${base}.replaceString`;
  const raw = c.entry(sub)?.value;
  if (raw === undefined) return;
  const value = javaTrim(raw);
  if (value !== raw)
    ctx.report.warn(
      c.at(sub),
      `Flume trims property values: the replacement is "${value}" (the blanks written in the file are dropped, as Flume did)`,
    );
  const translated = javaReplacementToJs(value, typeof entry.searchPattern === 'string' ? entry.searchPattern : undefined);
  if ('problem' in translated) ctx.report.error(c.at(sub), translated.problem);
  else ctx.put(entry, at, 'replaceString', translated.replacement, c, sub);
}

function regexExtractor(c: FlumeComponent, base: string, at: string, ctx: MappingContext): RawSection | undefined {
  const entry: RawSection = { type: 'regex_extractor' };
  ctx.origins.set(at, c.at(`${base}.type`));
  const regex = c.value(`${base}.regex`);
  if (regex !== undefined) ctx.put(entry, at, 'regex', regex, c, `${base}.regex`);
  const names = c.names(`${base}.serializers`);
  const serializers: RawSection[] = [];
  names.forEach((s, i) => {
    const sb = `${base}.serializers.${s}`;
    const serializer: RawSection = {};
    const sat = `${at}.serializers.${i}`;
    const name = c.value(`${sb}.name`);
    if (name !== undefined) ctx.put(serializer, sat, 'name', name, c, `${sb}.name`);
    const type = c.value(`${sb}.type`);
    if (type !== undefined) {
      const mapped = SERIALIZER_CLASSES[type] ?? SERIALIZER_CLASSES[type.toLowerCase()];
      if (mapped) ctx.put(serializer, sat, 'type', mapped, c, `${sb}.type`);
      else
        ctx.report.error(
          c.at(`${sb}.type`),
          `serializer "${type}" is not supported (default or RegexExtractorInterceptorMillisSerializer)`,
        );
    }
    const pattern = c.value(`${sb}.pattern`);
    if (pattern !== undefined) ctx.put(serializer, sat, 'pattern', pattern, c, `${sb}.pattern`);
    serializers.push(serializer);
  });
  ctx.put(entry, at, 'serializers', serializers, c, `${base}.serializers`);
  return entry;
}

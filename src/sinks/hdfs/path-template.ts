/**
 * Flume-style path templates (`hdfs.path`, `hdfs.filePrefix`), compiled once to a render function.
 *
 * Escapes (Flume's BucketPath):
 *   %Y %y %m %d %H %M %S %j   calendar fields of the event time in the configured zone
 *   %s %t                     epoch seconds, epoch milliseconds
 *   %{name}                   header `name`; a missing header renders as '' (as in Flume)
 *   %[localhost] %[IP] %[FQDN]  this host (resolved once; FQDN is os.hostname(), no DNS lookup)
 *   %%                        a literal '%'
 * Anything else (`%a`, `%[foo]`, a dangling `%`, an unclosed `%{`) is rejected at compile time with
 * the offending escape named, so a typo fails config validation instead of writing odd paths.
 *
 * Invariants: rendering allocates only the output string; the time fields are cached per second
 * by the shared ZonedCalendar. Event time is chosen by the caller (see router.ts).
 */
import { hostname, networkInterfaces } from 'node:os';
import type { Headers } from '../../core/event.js';
import type { CalendarFields, ZonedCalendar } from './calendar.js';

type Part = string | ((headers: Headers, epochMs: number, fields: CalendarFields) => string);

export interface CompiledTemplate {
  readonly source: string;
  /** True when the output never changes (no escapes besides host and `%%`). */
  readonly isConstant: boolean;
  /** True when the output depends on the event time. */
  readonly usesTime: boolean;
  /** True when it depends on the time below the second (`%t`). */
  readonly usesMillis: boolean;
  /** The headers the output depends on. */
  readonly headerNames: readonly string[];
  render(headers: Headers, epochMs: number): string;
}

export class PathTemplateError extends Error {
  override readonly name = 'PathTemplateError';
}

const TIME_ESCAPES: Record<string, (f: CalendarFields, ms: number) => string> = {
  Y: (f) => f.year,
  y: (f) => f.year2,
  m: (f) => f.month,
  d: (f) => f.day,
  H: (f) => f.hour,
  M: (f) => f.minute,
  S: (f) => f.second,
  j: (f) => f.dayOfYear,
  s: (_f, ms) => String(Math.floor(ms / 1000)),
  t: (_f, ms) => String(ms),
};

const NO_FIELDS: CalendarFields = { year: '', year2: '', month: '', day: '', hour: '', minute: '', second: '', dayOfYear: '' };

export const SUPPORTED_ESCAPES = '%Y %y %m %d %H %M %S %j %s %t %{header} %[localhost] %[IP] %[FQDN] %%';

interface HostInfo {
  readonly localhost: string;
  readonly ip: string;
  readonly fqdn: string;
}

let hostInfo: HostInfo | undefined;

function host(): HostInfo {
  if (!hostInfo) {
    let ip = '127.0.0.1';
    for (const list of Object.values(networkInterfaces())) {
      const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
      if (found) {
        ip = found.address;
        break;
      }
    }
    const name = hostname();
    hostInfo = { localhost: name.split('.')[0] ?? name, ip, fqdn: name };
  }
  return hostInfo;
}

function hostValue(key: string, template: string): string {
  switch (key.toLowerCase()) {
    case 'localhost':
      return host().localhost;
    case 'ip':
      return host().ip;
    case 'fqdn':
      return host().fqdn;
    default:
      throw new PathTemplateError(`unsupported escape "%[${key}]" in "${template}" (supported: ${SUPPORTED_ESCAPES})`);
  }
}

function closing(template: string, from: number, close: string, open: string): number {
  const end = template.indexOf(close, from);
  if (end < 0) throw new PathTemplateError(`unclosed escape "${open}" at position ${from - 2} in "${template}"`);
  return end;
}

export function compilePathTemplate(template: string, calendar: ZonedCalendar): CompiledTemplate {
  const parts: Part[] = [];
  let literal = '';
  let usesTime = false;
  let usesMillis = false;
  const headerNames: string[] = [];
  let i = 0;
  while (i < template.length) {
    const pct = template.indexOf('%', i);
    if (pct < 0) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, pct);
    const c = template[pct + 1];
    if (c === undefined) throw new PathTemplateError(`dangling "%" at the end of "${template}" (write "%%" for a literal %)`);
    if (c === '%') {
      literal += '%';
      i = pct + 2;
    } else if (c === '{') {
      const end = closing(template, pct + 2, '}', '%{');
      const name = template.slice(pct + 2, end);
      if (name.length === 0) throw new PathTemplateError(`empty header escape "%{}" in "${template}"`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push((h) => h[name] ?? '');
      if (!headerNames.includes(name)) headerNames.push(name);
      i = end + 1;
    } else if (c === '[') {
      const end = closing(template, pct + 2, ']', '%[');
      literal += hostValue(template.slice(pct + 2, end), template);
      i = end + 1;
    } else {
      const fn = TIME_ESCAPES[c];
      if (!fn) throw new PathTemplateError(`unsupported escape "%${c}" in "${template}" (supported: ${SUPPORTED_ESCAPES})`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push((_h, ms, f) => fn(f, ms));
      usesTime = true;
      if (c === 't') usesMillis = true;
      i = pct + 2;
    }
  }
  if (literal) parts.push(literal);

  const isConstant = !usesTime && headerNames.length === 0;
  if (isConstant) {
    const value = parts.join('');
    return { source: template, isConstant, usesTime, usesMillis, headerNames, render: () => value };
  }
  return {
    source: template,
    isConstant,
    usesTime,
    usesMillis,
    headerNames,
    render(headers: Headers, epochMs: number): string {
      const fields = usesTime ? calendar.fields(epochMs) : NO_FIELDS;
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : p(headers, epochMs, fields);
      return out;
    },
  };
}

/** The problem with a template, or undefined when it compiles (for config validation). */
export function templateProblem(template: string, calendar: ZonedCalendar): string | undefined {
  try {
    compilePathTemplate(template, calendar);
    return undefined;
  } catch (err) {
    if (err instanceof PathTemplateError) return err.message;
    throw err;
  }
}

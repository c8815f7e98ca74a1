/**
 * Metric samples as `top`, the demo and the /metrics.json view read them: `{ name, labels, value }`, from the Prometheus
 * text exposition (`/metrics` of any running agent) or from an in-process registry (same shape
 * as prom-client's `getMetricsAsJSON`). Only what the views need is parsed: sample lines with
 * optional labels; comments, timestamps and exemplars are skipped; NaN/±Inf are kept as numbers.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses the Prometheus text format (version 0.0.4). Malformed lines are skipped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    const labels: Record<string, string> = {};
    let rest: string;
    if (brace !== -1 && (space === -1 || brace < space)) {
      const close = line.lastIndexOf('}');
      if (close < brace) continue;
      name = line.slice(0, brace);
      for (const m of line.slice(brace + 1, close).matchAll(LABEL)) labels[m[1] as string] = unescapeLabel(m[2] as string);
      rest = line.slice(close + 1).trim();
    } else {
      if (space === -1) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const token = rest.split(/\s+/)[0] ?? '';
    const value = parseValue(token);
    if (token === '' || (Number.isNaN(value) && token !== 'NaN')) continue;
    out.push({ name, labels, value });
  }
  return out;
}

/** prom-client's `getMetricsAsJSON()` output as samples (label values stringified). */
export function samplesFromRegistryJson(
  metrics: ReadonlyArray<{ name: string; values?: ReadonlyArray<{ labels: Record<string, unknown>; value: number; metricName?: string }> }>,
): Sample[] {
  const out: Sample[] = [];
  for (const m of metrics) {
    for (const v of m.values ?? []) {
      const labels: Record<string, string> = {};
      for (const [k, x] of Object.entries(v.labels)) labels[k] = String(x);
      out.push({ name: v.metricName ?? m.name, labels, value: v.value });
    }
  }
  return out;
}

/** Samples grouped by name, summed over the ones whose labels match. */
export class SampleIndex {
  private readonly byName = new Map<string, Sample[]>();
  constructor(samples: readonly Sample[]) {
    for (const s of samples) {
      const list = this.byName.get(s.name);
      if (list) list.push(s);
      else this.byName.set(s.name, [s]);
    }
  }
  has(name: string, match: Record<string, string>): boolean {
    return (this.byName.get(name) ?? []).some((s) => matches(s, match));
  }
  sum(name: string, match: Record<string, string>): number {
    let total = 0;
    for (const s of this.byName.get(name) ?? []) if (matches(s, match)) total += s.value;
    return total;
  }
  ids(name: string, kind: string): string[] {
    const ids = new Set<string>();
    for (const s of this.byName.get(name) ?? [])
      if (s.labels.component_kind === kind && s.labels.component_id) ids.add(s.labels.component_id);
    return [...ids].sort();
  }
}

function matches(s: Sample, match: Record<string, string>): boolean {
  for (const k in match) if (s.labels[k] !== match[k]) return false;
  return true;
}

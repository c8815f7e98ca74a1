/** Small Flume agents for the mapping tests: a1 with source r1 → channel c1 → sink k1. */
import { configFromObject } from '../../src/config/load.js';
import { importFlumeConfig } from '../../src/flume/import.js';
import type { FlumeImportOptions } from '../../src/flume/mapping-context.js';
import { describeInFlumeTerms } from '../../src/flume/origins.js';
import { formatImportIssue } from '../../src/flume/report.js';

export const SOURCE = ['a1.sources.r1.type = spooldir', 'a1.sources.r1.spoolDir = /var/spool/in'];
export const CHANNEL = ['a1.channels.c1.type = memory'];
export const SINK = ['a1.sinks.k1.type = logger'];

/**
 * An agent file: the list lines, then `source`, `channel` and `sink` lines (defaults above) and
 * the bindings. The lists are on lines 1-3, so the component lines start on line 4.
 */
export function agentFile(parts: { source?: string[]; channel?: string[]; sink?: string[] } = {}): string {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    ...(parts.source ?? SOURCE),
    ...(parts.channel ?? CHANNEL),
    ...(parts.sink ?? SINK),
    'a1.sources.r1.channels = c1',
    'a1.sinks.k1.channel = c1',
  ].join('\n');
}

/** Imports `text`; answers the config sections and the formatted messages. */
export function imported(text: string, options: FlumeImportOptions = {}) {
  const result = importFlumeConfig(text, options);
  const config = result.config as { sources: Record<string, Record<string, unknown>>; sinks: Record<string, Record<string, unknown>> };
  return {
    result,
    source: config.sources?.r1 ?? {},
    sink: config.sinks?.k1 ?? {},
    errors: result.errors.map(formatImportIssue),
    warnings: result.warnings.map(formatImportIssue),
    /** Validation problems of the produced config, told in Flume terms as the loader does ([] when it loads). */
    validate(): readonly string[] {
      try {
        configFromObject(result.config, 'test.conf', {}, { interpolate: false });
        return [];
      } catch (err) {
        const problems = (err as { problems?: readonly string[] }).problems ?? [String(err)];
        return problems.map((p) => describeInFlumeTerms(p, result.origins));
      }
    },
  };
}

/** Line number of `key` in `text` (1-based). */
export function lineOf(text: string, key: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(`${key} `) || l.startsWith(`${key}=`)) + 1;
}

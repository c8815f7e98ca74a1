/**
 * `${NAME}` in an imported value. Flume substitutes environment variables in values when started
 * with `-DpropertiesImplementation=org.apache.flume.node.EnvVarResolverProperties`; rxflume
 * interpolates `${NAME}` (and `${NAME:-default}`) in every config it loads, the .conf itself and
 * the YAML import-flume prints alike, so the two always load the same config. Each reference is
 * reported (a warning at the Flume key and line the value came from), never substituted silently.
 *
 * Walks the produced config, so a search_replace `${group}` (already translated to `$<group>`)
 * is not mistaken for a variable.
 */
import type { Origin, RawSection } from './mapping-context.js';
import type { ImportReport } from './report.js';

const REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/g;

/** The origin recorded for `path` or its nearest recorded parent. */
function originOf(path: string, origins: ReadonlyMap<string, Origin>): Origin | undefined {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const origin = origins.get(p);
    if (origin) return origin;
  }
  return undefined;
}

export function reportEnvReferences(config: RawSection, origins: ReadonlyMap<string, Origin>, report: ImportReport): void {
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      for (const [reference] of value.matchAll(REFERENCE)) {
        report.warn(
          originOf(path, origins) ?? { key: path },
          `${reference} is replaced by that environment variable when the config loads (Flume does so when started with EnvVarResolverProperties)`,
        );
      }
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}.${i}`);
    } else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(config, '');
}

/**
 * Environment interpolation in config string values: `${NAME}` and `${NAME:-default}`.
 * An unset variable without a default is a config problem (reported with its path), not an
 * empty string: a silently empty broker list or path is worse than a clear error.
 */
import type { ConfigPath } from './issues.js';

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  onMissing: (path: ConfigPath, name: string) => void,
  path: ConfigPath = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      onMissing(path, name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, onMissing, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, onMissing, [...path, k]);
    return out;
  }
  return value;
}

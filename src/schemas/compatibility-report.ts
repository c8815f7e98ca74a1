/**
 * Compatibility of a whole registry: each version of each name against the one before it (or
 * against every earlier one, `transitive`), in one mode (compatibility.ts), as findings with
 * one exact line of text each — what `rxflume schemas check` prints and CI fails on.
 *
 * Line format: `<name> v<reader> cannot read v<writer> (<direction>): <path>: <reason>`, e.g.
 *   smartcar.CarStatus v2 cannot read v1 (backward): smartcar.CarStatus.odometer_km: added field without a default
 * A name with one version has nothing to check and is reported as such in the summary.
 */
import { type CompatibilityMode, checkPair, type Direction } from './compatibility.js';
import type { SchemaRegistry } from './registry.js';

export interface CompatibilityFinding {
  readonly name: string;
  readonly newer: number;
  readonly older: number;
  readonly direction: Direction;
  readonly path: string;
  readonly reason: string;
}

export interface NameSummary {
  readonly name: string;
  readonly versions: readonly number[];
  /** Version pairs checked. */
  readonly pairs: number;
}

export interface RegistryCheck {
  readonly mode: CompatibilityMode;
  readonly transitive: boolean;
  readonly findings: readonly CompatibilityFinding[];
  readonly names: readonly NameSummary[];
}

export interface RegistryCheckOptions {
  readonly mode?: CompatibilityMode;
  readonly transitive?: boolean;
}

export function checkRegistry(registry: SchemaRegistry, options: RegistryCheckOptions = {}): RegistryCheck {
  const mode = options.mode ?? 'backward';
  const transitive = options.transitive ?? false;
  const findings: CompatibilityFinding[] = [];
  const names: NameSummary[] = [];
  for (const name of registry.names()) {
    const versions = registry.versions(name);
    let pairs = 0;
    for (let i = 1; i < versions.length; i++) {
      const newer = registry.get(name, versions[i]);
      const olderVersions = transitive ? versions.slice(0, i) : [versions[i - 1] as number];
      for (const olderVersion of olderVersions) {
        pairs++;
        const older = registry.get(name, olderVersion);
        for (const { direction, problems } of checkPair(newer.type, older.type, mode)) {
          for (const p of problems) findings.push({ name, newer: newer.version, older: older.version, direction, ...p });
        }
      }
    }
    names.push({ name, versions, pairs });
  }
  return { mode, transitive, findings, names };
}

/** The finding's line (see the module header). */
export function formatFinding(f: CompatibilityFinding): string {
  const [reader, writer] = f.direction === 'backward' ? [f.newer, f.older] : [f.older, f.newer];
  return `${f.name} v${reader} cannot read v${writer} (${f.direction}): ${f.path}: ${f.reason}`;
}

/** One summary line per name, e.g. `smartcar.CarStatus: versions 1, 2 compatible (backward, 1 pair)`. */
export function formatSummary(check: RegistryCheck): string[] {
  const how = `${check.mode}${check.transitive ? ', transitive' : ''}`;
  return check.names.map((n) => {
    if (n.versions.length < 2) return `${n.name}: version ${n.versions.join(', ')} only, nothing to check`;
    const bad = check.findings.some((f) => f.name === n.name);
    const pairs = `${n.pairs} ${n.pairs === 1 ? 'pair' : 'pairs'}`;
    return `${n.name}: versions ${n.versions.join(', ')} ${bad ? 'INCOMPATIBLE' : 'compatible'} (${how}, ${pairs})`;
  });
}

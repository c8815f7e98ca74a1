/**
 * `rxflume schemas`: the schema folder seen from the command line.
 *
 *   schemas list  [--dir D]                                        name, version, fingerprint, file
 *   schemas check [--dir D] [--mode backward|forward|full] [--transitive]
 *
 * `check` tests each version against the previous one (every earlier one with --transitive) in
 * the mode (src/schemas/compatibility.ts). Exit codes: 0 all compatible (a summary on stdout),
 * 1 incompatible (one line per problem on stderr, naming the field path and the reason, then the
 * summary), 2 bad usage or a schema folder that does not load (the load error names the file).
 */
import type { Command } from 'commander';
import { COMPATIBILITY_MODES, type CompatibilityMode } from '../schemas/compatibility.js';
import { checkRegistry, formatFinding, formatSummary } from '../schemas/compatibility-report.js';
import { loadSchemaRegistry, type SchemaRegistry } from '../schemas/registry.js';

interface CheckOptions {
  dir?: string;
  mode: string;
  transitive?: boolean;
}

function load(dir: string | undefined): SchemaRegistry {
  try {
    return loadSchemaRegistry(dir);
  } catch (err) {
    process.stderr.write(`rxflume schemas: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

export function registerSchemas(program: Command): void {
  const schemas = program.command('schemas').description('list the Avro schema versions or check their compatibility');
  schemas
    .command('list')
    .description('print every schema version with its CRC-64-AVRO fingerprint')
    .option('--dir <dir>', "schema folder (default: the package's schemas/)")
    .action((opts: { dir?: string }) => {
      const registry = load(opts.dir);
      for (const name of registry.names()) {
        for (const version of registry.versions(name)) {
          const s = registry.get(name, version);
          process.stdout.write(`${name}\tv${version}\t${s.fingerprint}\t${s.file}\n`);
        }
      }
    });
  schemas
    .command('check')
    .description('check each schema version against the previous one(s); exit 1 naming every incompatibility')
    .option('--dir <dir>', "schema folder (default: the package's schemas/)")
    .option('--mode <mode>', 'backward (new reads old), forward (old reads new) or full (both)', 'backward')
    .option('--transitive', 'check against every earlier version, not only the previous one')
    .action((opts: CheckOptions) => {
      if (!COMPATIBILITY_MODES.includes(opts.mode as CompatibilityMode)) {
        process.stderr.write(`rxflume schemas check: --mode must be backward, forward or full, got "${opts.mode}"\n`);
        process.exit(2);
      }
      const registry = load(opts.dir);
      const check = checkRegistry(registry, { mode: opts.mode as CompatibilityMode, transitive: opts.transitive === true });
      for (const f of check.findings) process.stderr.write(`${formatFinding(f)}\n`);
      for (const line of formatSummary(check)) process.stdout.write(`${line}\n`);
      if (check.findings.length > 0) process.exit(1);
    });
}

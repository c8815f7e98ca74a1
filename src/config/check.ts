/**
 * Checks that need more than the config text: the schemas a source names exist in the schema
 * folder (at the version asked). Problems are reported like every other config problem, by path.
 */
import { RxfError } from '../core/errors.js';
import { loadSchemaRegistry, type SchemaRegistry } from '../schemas/registry.js';
import { ConfigProblems } from './issues.js';
import type { AgentConfig } from './load.js';

export async function checkConfig(config: AgentConfig): Promise<SchemaRegistry> {
  const problems = new ConfigProblems();
  let registry: SchemaRegistry;
  try {
    registry = loadSchemaRegistry(config.schemasDir);
  } catch (err) {
    problems.add(['schemas', 'dir'], err instanceof RxfError ? err.message : String(err));
    problems.throwIfAny(config.file);
    throw err;
  }
  for (const source of config.sources) {
    const { schema, schemaVersion } = source.common;
    if (schema === undefined) continue;
    try {
      registry.get(schema, schemaVersion);
    } catch (err) {
      problems.add(['sources', source.id, 'schema'], (err as Error).message);
    }
  }
  problems.throwIfAny(config.file);
  return registry;
}

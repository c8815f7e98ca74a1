/**
 * Checks that need more than the config text: the schemas a source names exist in the schema
 * folder (at the version asked), and a Kafka sink writing the Confluent wire format has a schema
 * id for the schema version of every source that feeds it (else every batch would fail at run
 * time and be dead-lettered). Problems are reported like every other config problem, by path.
 */
import { RxfError } from '../core/errors.js';
import { loadSchemaRegistry, type SchemaRegistry } from '../schemas/registry.js';
import { loadSchemaIds } from '../schemas/schema-ids.js';
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
      const written = registry.get(schema, schemaVersion);
      for (const sinkId of source.common.sinks) checkConfluentId(config, sinkId, written.name, written.version, problems);
    } catch (err) {
      problems.add(['sources', source.id, 'schema'], (err as Error).message);
    }
  }
  problems.throwIfAny(config.file);
  return registry;
}

/** A Confluent-framing Kafka sink must know the id of the schema version a source writes to it. */
function checkConfluentId(config: AgentConfig, sinkId: string, name: string, version: number, problems: ConfigProblems): void {
  const sink = config.sinks.find((k) => k.id === sinkId);
  const options = sink?.options as { wireFormat?: string; schemaIds?: string } | undefined;
  if (sink?.common.type !== 'kafka' || options?.wireFormat !== 'confluent' || options.schemaIds === undefined) return;
  if (loadSchemaIds(options.schemaIds).idOf(name, version) === undefined) {
    problems.add(
      ['sinks', sinkId, 'schemaIds'],
      `${options.schemaIds} has no id for ${name} version ${version} (written by the sources feeding this sink)`,
    );
  }
}

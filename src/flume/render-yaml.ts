/**
 * The YAML text of an imported Flume config: a comment header naming the source file and agent,
 * what the import keeps of Flume's behaviour, and every warning (line, key, message), then the
 * config itself. `rxflume run -c` on the result behaves like `rxflume run -c` on the Flume file.
 */
import { stringify } from 'yaml';
import type { FlumeImportResult } from './import.js';
import { formatImportIssue } from './report.js';

export function renderImportedYaml(result: FlumeImportResult, sourceFile: string): string {
  const lines = [
    `# rxflume config imported from ${sourceFile} (Flume agent ${result.agent}) by \`rxflume import-flume\`.`,
    "# It keeps Flume's output bytes: HDFS files hold the lines (DataStream), Kafka values are the lines",
    '# (no key unless a `key` header is set). Add `schema:` to a source to validate records as Avro.',
  ];
  if (result.warnings.length === 0) lines.push('#', '# No warnings.');
  else {
    lines.push('#', `# Warnings (${result.warnings.length}):`);
    for (const w of result.warnings) lines.push(`#   ${formatImportIssue(w).replace(/\n/g, ' ')}`);
  }
  return `${lines.join('\n')}\n\n${stringify(result.config, { lineWidth: 0 })}`;
}

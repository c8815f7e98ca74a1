/**
 * What an import found worth telling: every Flume property that is not carried over as is gets a
 * message with its key and line, never silence.
 *
 * - warning: the agent behaves as Flume's would (or the difference is harmless and explained),
 *   e.g. a memory channel's transactionCapacity (rxflume sizes batches per source and sink).
 * - error: carrying the property over is impossible or would change what lands where, e.g. a
 *   SequenceFile HDFS sink or a custom interceptor class. An import with errors yields no config.
 *
 * Format of one message: `line 12: a1.sinks.k1.hdfs.codeC: <message>` (line omitted when the
 * message is about something missing, e.g. a component without a type).
 */
import type { PropertyEntry } from './properties.js';

export type Severity = 'warning' | 'error';

export interface ImportIssue {
  readonly severity: Severity;
  readonly key: string;
  readonly line?: number;
  readonly message: string;
}

export function formatImportIssue(issue: ImportIssue): string {
  return `${issue.line === undefined ? '' : `line ${issue.line}: `}${issue.key}: ${issue.message}`;
}

export class ImportReport {
  readonly issues: ImportIssue[] = [];

  warn(at: PropertyEntry | { key: string; line?: number }, message: string): void {
    this.issues.push({ severity: 'warning', key: at.key, ...(at.line === undefined ? {} : { line: at.line }), message });
  }

  error(at: PropertyEntry | { key: string; line?: number }, message: string): void {
    this.issues.push({ severity: 'error', key: at.key, ...(at.line === undefined ? {} : { line: at.line }), message });
  }

  get errors(): ImportIssue[] {
    return this.sorted('error');
  }

  get warnings(): ImportIssue[] {
    return this.sorted('warning');
  }

  private sorted(severity: Severity): ImportIssue[] {
    return this.issues
      .filter((i) => i.severity === severity)
      .sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || a.key.localeCompare(b.key));
  }
}

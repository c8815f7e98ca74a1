/**
 * Which schema version parses a CSV line, by its column count, when a source is configured with
 * one version of a name that has earlier ones (a CarStatus v2 pipeline still reading v1 files).
 *
 * Candidates: the configured version, then each earlier version the configured one can read
 * (Avro resolution, compatibility.ts), newest first. For a line of n columns:
 *   1. the newest candidate whose full field count is exactly n (a v1 status line with its
 *      appended collect_date has 14 columns = v1's 14 fields; under v2 by position its 14th
 *      column would land in odometer_km);
 *   2. else the newest candidate that accepts n ([required, total] columns, trailing fields
 *      with defaults missing);
 *   3. else none: the configured version's parser reports the count (`expected 13 to 16 columns, got 5`).
 * A line parsed by an earlier version becomes a configured-version record through a compiled
 * upgrader (resolution.ts): no encoding, one object literal. Newer versions than the configured
 * one are never candidates: their extra fields would be dropped silently, so such a line fails
 * (and is dead-lettered whole).
 *
 * Failure modes: an earlier version the configured one cannot read is left out (its lines fail
 * as a wrong column count), never a crash.
 */
import type avro from 'avsc';
import type { SchemaRef } from '../core/event.js';
import { resolutionProblems } from './compatibility.js';
import { type ColumnParser, compileColumnParser } from './csv-columns.js';
import { compileRecordUpgrader, type RecordUpgrader } from './resolution.js';

/**
 * A schema with, optionally, the earlier versions of its name (a RegisteredSchema has them), so
 * lines of an older version's shape parse too.
 */
export interface VersionedSchemaRef extends SchemaRef {
  readonly version?: number;
  readonly earlier?: readonly (SchemaRef & { readonly version: number })[];
}

export interface LineShape {
  readonly parser: ColumnParser;
  /** Absent for the configured version itself. */
  readonly upgrade?: RecordUpgrader;
}

export interface LineShapes {
  readonly configured: ColumnParser;
  /** Index: column count; a hole where no version accepts that count. */
  readonly byColumns: readonly (LineShape | undefined)[];
  /** Most columns any candidate has. */
  readonly maxColumns: number;
}

export function lineShapes(schemaRef: VersionedSchemaRef, fastPath: boolean): LineShapes {
  const configured = compileColumnParser(schemaRef, fastPath);
  const readerType = schemaRef.type as avro.Type;
  const candidates: LineShape[] = [{ parser: configured }];
  const earlier = [...(schemaRef.earlier ?? [])].sort((a, b) => b.version - a.version);
  for (const older of earlier) {
    const writerType = older.type as avro.Type;
    if (resolutionProblems(readerType, writerType, 'backward').length > 0) continue;
    candidates.push({ parser: compileColumnParser(older, fastPath), upgrade: compileRecordUpgrader(readerType, writerType) });
  }
  const maxColumns = Math.max(...candidates.map((c) => c.parser.total));
  const byColumns: (LineShape | undefined)[] = new Array(maxColumns + 1).fill(undefined);
  for (let n = 0; n <= maxColumns; n++) {
    byColumns[n] = candidates.find((c) => c.parser.total === n) ?? candidates.find((c) => c.parser.required <= n && n <= c.parser.total);
  }
  return { configured, byColumns, maxColumns };
}

/**
 * `rxflume cat FILE.avro [--reader-version N] [--format json|text] [--max N] [--schemas DIR]`:
 * prints the records of an Avro container file (the HDFS sink's avro format; codecs null,
 * deflate, snappy), resolved from the file's embedded writer schema to a reader version of the
 * same name (default the latest in the schema folder; the writer schema when the folder does not
 * have the name). See src/schemas/container-reader.ts.
 *
 * Output: `--format json` (default) one JSON object per record (longs past 2^53 as strings,
 * bytes as base64); `--format text` the record's field values in the reader's field order joined
 * by `,` with null as empty — the CSV line shape the agent parses. Several files print in order.
 *
 * Exit codes: 0 done; 1 a file that cannot be read (not Avro, corrupt block, cut short, unknown
 * codec) or a reader that cannot read the writer (every problem named); 2 bad usage. Records
 * read before a corrupt or missing block are printed before the error.
 */
import type { Command } from 'commander';
import { openContainerFile } from '../schemas/container-reader.js';
import { loadSchemaRegistry } from '../schemas/registry.js';
import { positiveInt } from './option-values.js';

interface CatOptions {
  readerVersion?: number;
  format: string;
  max?: number;
  schemas?: string;
}

const toJson = (_key: string, v: unknown) => {
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('base64');
  }
  return v;
};

function textOf(record: unknown, fields: readonly string[]): string {
  if (record === null || typeof record !== 'object') return JSON.stringify(record, toJson);
  const r = record as Record<string, unknown>;
  return fields
    .map((f) => {
      const v = r[f];
      if (v === null || v === undefined) return '';
      return typeof v === 'object' ? JSON.stringify(v, toJson) : String(v);
    })
    .join(',');
}

export function registerCat(program: Command): void {
  program
    .command('cat')
    .description('print the records of Avro container files, resolved to a reader schema version')
    .argument('<files...>', 'Avro container files (.avro)')
    .option('--reader-version <n>', "schema version to read the records as (default: the name's latest)", positiveInt('--reader-version'))
    .option('--format <format>', 'json (one object per record) or text (values joined by ",")', 'json')
    .option('--max <n>', 'stop after this many records in all', positiveInt('--max'))
    .option('--schemas <dir>', "folder of .avsc files (default: the package's schemas/)")
    .action(async (files: string[], opts: CatOptions) => {
      if (opts.format !== 'json' && opts.format !== 'text') {
        process.stderr.write(`rxflume cat: --format must be json or text, got "${opts.format}"\n`);
        process.exit(2);
      }
      const registry = loadSchemaRegistry(opts.schemas);
      let printed = 0;
      for (const path of files) {
        if (opts.max !== undefined && printed >= opts.max) break;
        const file = openContainerFile(path, {
          registry,
          ...(opts.readerVersion === undefined ? {} : { readerVersion: opts.readerVersion }),
        });
        let out = '';
        try {
          for await (const record of file.records()) {
            out += `${opts.format === 'text' ? textOf(record, file.fields) : JSON.stringify(record, toJson)}\n`;
            printed++;
            // Write in chunks: one write per record costs more than the decoding.
            if (out.length > 65536) {
              process.stdout.write(out);
              out = '';
            }
            if (opts.max !== undefined && printed >= opts.max) break;
          }
        } finally {
          // Also when a later block is corrupt or cut short: the records before it were read.
          if (out) process.stdout.write(out);
        }
      }
    });
}

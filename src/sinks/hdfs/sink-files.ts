/**
 * Names, durable state and publishing of the sink's files.
 *
 * File names (Flume's): `<dir>/<prefix>.<agentId>.<counter><fileSuffix>` when finished, plus
 * `<inUseSuffix>` while being written. The counter starts at the clock in ms and grows by one per
 * new file, so a restart never reuses a name; the agent id keeps agents sharing a folder apart.
 *
 * Sink state (CheckpointStore `sink-<id>` in the agent's state dir):
 *   { files: [{ dir, prefix, inUse, final, durable }] }
 * one entry per file that is open or closed-but-not-yet-renamed; `durable` is the length up to
 * which the file was fsynced when its last batch was acknowledged. An entry is saved BEFORE its
 * file is created, so every in-use file this sink leaves behind is recorded (crash-safe).
 *
 * Publishing (`publishFile`, used by rolls and by crash recovery): cut the in-use file back to
 * its durable length (bytes past it were never acknowledged; the cut is made even when the length
 * already matches, because on HDFS it is also the lease check: a write still in flight, e.g. a
 * timed-out APPEND or one of a killed agent, makes it fail retriably instead of letting late
 * bytes follow the file to its final name), then rename it to its final name
 * (durable rename); a zero-length file is deleted instead, and an already-renamed one (crash
 * between rename and state save) is left alone. A final name that already exists is never
 * overwritten: that is a permanent error (two writers sharing an agent id).
 */
import { posix } from 'node:path';
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { HdfsBackend } from './backend.js';

export interface SinkFileEntry {
  readonly dir: string;
  readonly prefix: string;
  readonly inUse: string;
  readonly final: string;
  readonly durable: number;
}

export interface HdfsSinkState {
  readonly files: SinkFileEntry[];
}

export interface FileNaming {
  readonly agentId: string;
  readonly fileSuffix: string;
  readonly inUseSuffix: string;
}

export function fileNames(dir: string, prefix: string, counter: number, naming: FileNaming): { inUse: string; final: string } {
  const final = posix.join(dir, `${prefix}.${naming.agentId}.${counter}${naming.fileSuffix}`);
  return { final, inUse: `${final}${naming.inUseSuffix}` };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches the names of this agent's in-use files with this prefix (any counter). */
export function inUseNamePattern(prefix: string, naming: FileNaming): RegExp {
  const e = escapeRegExp;
  return new RegExp(`^${e(prefix)}\\.${e(naming.agentId)}\\.\\d+${e(naming.fileSuffix)}${e(naming.inUseSuffix)}$`);
}

export type PublishResult = 'published' | 'deleted' | 'missing';

export async function publishFile(backend: HdfsBackend, entry: SinkFileEntry): Promise<PublishResult> {
  const size = await backend.size(entry.inUse);
  if (size === undefined) return 'missing';
  if (entry.durable > 0 && size >= entry.durable) await backend.truncate(entry.inUse, entry.durable);
  if (entry.durable === 0) {
    await backend.delete(entry.inUse);
    return 'deleted';
  }
  if ((await backend.size(entry.final)) !== undefined) {
    throw new RxfError(
      ErrorCodes.SINK_PERMANENT,
      `cannot publish ${entry.inUse}: ${entry.final} already exists (is another writer using this agent id?)`,
    );
  }
  await backend.rename(entry.inUse, entry.final);
  return 'published';
}

/**
 * In-use files of this agent in the buckets named by `entries` that are not among them. Never
 * this sink's own (entries are recorded before their file exists): reported, never deleted,
 * since another sink of the same agent may write the same folder and prefix.
 */
export async function unrecordedInUseFiles(backend: HdfsBackend, entries: readonly SinkFileEntry[], naming: FileNaming): Promise<string[]> {
  const recorded = new Set(entries.map((e) => e.inUse));
  const buckets = new Map<string, { dir: string; prefix: string }>();
  for (const e of entries) buckets.set(`${e.dir}\u0000${e.prefix}`, e);
  const found: string[] = [];
  for (const { dir, prefix } of buckets.values()) {
    const pattern = inUseNamePattern(prefix, naming);
    for (const name of await backend.list(dir)) {
      const path = posix.join(dir, name);
      if (pattern.test(name) && !recorded.has(path)) found.push(path);
    }
  }
  return found;
}

/**
 * Directory scanning and selection: which file of the spool directory is read next.
 *
 * Eligible entries: not hidden (no leading '.'), not already finished (ending with fileSuffix),
 * not still being written (ending with an in-progress suffix, or modified less than minFileAgeMs
 * ago), matching includePattern and not ignorePattern, not the quarantine folder, and not skipped
 * by the caller (files in flight or failed this run). Regular files and directories qualify: a
 * directory cannot be read, so the source quarantines it (EISDIR) instead of rescanning it forever.
 * Other kinds (FIFOs, sockets, devices) are passed over: opening a FIFO would block a thread.
 *
 * Order: 'oldest' = smallest mtime first, 'youngest' = largest mtime first, names ascending on
 * ties; 'random' = any eligible file. Only names are filtered before `stat`, so a folder full of
 * finished files costs one readdir per scan.
 *
 * Failure modes: an entry that vanishes between readdir and stat is passed over; a readdir error
 * (spool folder missing or unreadable) propagates, and the source logs it and retries next poll.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConsumeOrder } from './config.js';

export interface ScanRules {
  readonly fileSuffix: string;
  readonly includePattern: RegExp;
  readonly ignorePattern: RegExp;
  readonly inProgressSuffixes: readonly string[];
  readonly minFileAgeMs: number;
  readonly consumeOrder: ConsumeOrder;
  /** Absolute path of the quarantine folder (never scanned, wherever it is). */
  readonly quarantineDir: string;
}

export interface SpoolCandidate {
  readonly path: string;
  readonly name: string;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly isDirectory: boolean;
}

/** Name-only checks, before any stat. */
export function isEligibleName(name: string, rules: ScanRules): boolean {
  if (name.startsWith('.')) return false;
  if (name.endsWith(rules.fileSuffix)) return false;
  for (const suffix of rules.inProgressSuffixes) if (name.endsWith(suffix)) return false;
  // Patterns are compiled without the g/y flags, so `test` carries no lastIndex state between calls.
  if (!rules.includePattern.test(name)) return false;
  if (rules.ignorePattern.test(name)) return false;
  return true;
}

/** Lists the eligible entries of `dir` (unordered). `skip` excludes files the source is busy with. */
export async function scanSpoolDir(
  dir: string,
  rules: ScanRules,
  now: number,
  skip: (path: string, ino: number) => boolean,
): Promise<SpoolCandidate[]> {
  const names = await readdir(dir);
  const out: SpoolCandidate[] = [];
  for (const name of names) {
    if (!isEligibleName(name, rules)) continue;
    const path = join(dir, name);
    if (resolve(path) === rules.quarantineDir) continue;
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch {
      continue; // vanished or a dangling link: nothing to read
    }
    const isDirectory = st.isDirectory();
    if (!isDirectory && !st.isFile()) continue;
    if (now - st.mtimeMs < rules.minFileAgeMs) continue;
    if (skip(path, st.ino)) continue;
    out.push({ path, name, mtimeMs: st.mtimeMs, ino: st.ino, isDirectory });
  }
  return out;
}

/** The candidate to read next under `order` (one linear pass, no full sort). */
export function pickNext(candidates: readonly SpoolCandidate[], order: ConsumeOrder): SpoolCandidate | undefined {
  if (candidates.length === 0) return undefined;
  if (order === 'random') return candidates[Math.floor(Math.random() * candidates.length)];
  const sign = order === 'oldest' ? 1 : -1;
  let best = candidates[0] as SpoolCandidate;
  for (let i = 1; i < candidates.length; i++) {
    const c = candidates[i] as SpoolCandidate;
    const byTime = sign * (c.mtimeMs - best.mtimeMs);
    if (byTime < 0 || (byTime === 0 && c.name < best.name)) best = c;
  }
  return best;
}

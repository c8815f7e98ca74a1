/**
 * Start-up from a checkpoint: find each checkpointed file again and decide where reading resumes.
 *
 * Order of reading after a restart (oldest first, nothing skipped):
 *   1. each `draining` entry (rotated-away files with unacknowledged lines), from its offset;
 *   2. the `current` entry: if the followed name is still that file (same inode, same content
 *      prefix, at least `offset` bytes) it is resumed in place; otherwise it was rotated while we
 *      were down, so it is looked up under another name in the same folder (by inode, then a
 *      copytruncate copy by content) and drained from its offset; the name is then read from 0.
 * A checkpointed file that cannot be found any more is logged (its unacknowledged tail may be
 * lost: it was deleted while we were down) and skipped. Handles found here are owned by the
 * returned FollowedFiles.
 */
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { TailCheckpointState, TailFileEntry } from './checkpoint.js';
import type { FollowedFile } from './followed-file.js';
import type { FileIdentity } from './identity.js';
import { findCopy, findRenamed, type LocatedFile, openIfSame } from './siblings.js';

export interface ResumeEnv {
  readonly sourceId: string;
  readonly path: string;
  readonly dir: string;
  readonly baseName: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Builds a followed file over a located handle, resuming at the entry's offset and key. */
  open(found: LocatedFile, entry: TailFileEntry): FollowedFile;
}

export interface ResumePlan {
  /** The file under the followed name, resumed in place (absent: open the name from 0). */
  readonly current: FollowedFile | undefined;
  /** Rotated-away files to read to their end first, oldest first. */
  readonly draining: FollowedFile[];
}

function identityOf(e: TailFileEntry): FileIdentity {
  return { dev: e.dev, ino: e.ino, fpLen: e.fpLen, fp: e.fp };
}

async function locateElsewhere(entry: TailFileEntry, env: ResumeEnv): Promise<LocatedFile | undefined> {
  const want = identityOf(entry);
  return (await findRenamed(env.dir, want, entry.offset, env.path)) ?? (await findCopy(env.dir, env.baseName, want, entry.offset));
}

function lost(entry: TailFileEntry, env: ResumeEnv): void {
  env.logger.warn(
    { source: env.sourceId, file: entry.path, offset: entry.offset },
    'tail: checkpointed file not found any more (deleted while stopped?); lines after its committed offset may be lost',
  );
}

export async function resumeFromCheckpoint(state: TailCheckpointState, env: ResumeEnv): Promise<ResumePlan> {
  const draining: FollowedFile[] = [];
  for (const entry of state.draining) {
    const found = await locateElsewhere(entry, env);
    if (found) draining.push(env.open(found, entry));
    else lost(entry, env);
  }
  const entry = state.current;
  if (!entry) return { current: undefined, draining };
  const inPlace = await openIfSame(env.path, identityOf(entry), entry.offset);
  if (inPlace) return { current: env.open(inPlace, entry), draining };
  env.metrics.tailRotation(env.sourceId, 'while_stopped');
  const found = await locateElsewhere(entry, env);
  if (found) {
    env.logger.info(
      { source: env.sourceId, from: found.path, offset: entry.offset },
      'tail: file was rotated while stopped; draining it first',
    );
    draining.push(env.open(found, entry));
  } else {
    lost(entry, env);
  }
  return { current: undefined, draining };
}

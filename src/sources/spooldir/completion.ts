/**
 * Finishing a spool file: rename to `<name><fileSuffix>`, delete it, or move it to quarantine.
 *
 * Invariants:
 * - Nothing is overwritten: when the target name exists (a file of the same name was finished
 *   before), a unique infix is added before the suffix (`<name>.<time>[-n]<fileSuffix>`), so the
 *   result still ends with fileSuffix and is never scanned again; the caller logs a warning.
 * - After the rename or delete the directory is fsynced, so once the caller drops the file from its
 *   checkpoint the finished state survives a power loss.
 *
 * - The caller checks `holdsFile` first: a name that now holds another file (the producer replaced
 *   it) is never renamed or deleted, or the new file would be finished unread.
 *
 * Failure modes: errors propagate (ENOENT when the file vanished, EACCES/EXDEV when it cannot be
 * moved); the caller decides (forget it, or retry on the next poll).
 */
import { access, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../../core/checkpoint-store.js';

export interface FinishResult {
  readonly outcome: 'completed' | 'deleted';
  /** The new name (completed only). */
  readonly target?: string;
  /** The plain target name was taken, so a unique one was used. */
  readonly renamedAround?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** First free name among `<stem><suffix>`, `<stem>.<stamp><suffix>`, `<stem>.<stamp>-<n><suffix>`. */
export async function freeName(stem: string, suffix: string, stamp: number): Promise<{ path: string; plain: boolean }> {
  const plain = `${stem}${suffix}`;
  if (!(await exists(plain))) return { path: plain, plain: true };
  for (let n = 0; ; n++) {
    const candidate = `${stem}.${stamp}${n === 0 ? '' : `-${n}`}${suffix}`;
    if (!(await exists(candidate))) return { path: candidate, plain: false };
  }
}

/** True when `path` still names the file (dev, inode) that was read; false when gone or replaced. */
export async function holdsFile(path: string, file: { dev: number; ino: number }): Promise<boolean> {
  try {
    const st = await stat(path);
    return st.dev === file.dev && st.ino === file.ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Marks a fully delivered file as done: renamed with `fileSuffix`, or deleted. */
export async function finishSpoolFile(
  path: string,
  opts: { fileSuffix: string; deletePolicy: 'never' | 'immediate'; now: number },
): Promise<FinishResult> {
  if (opts.deletePolicy === 'immediate') {
    await unlink(path);
    await syncDir(dirname(path));
    return { outcome: 'deleted' };
  }
  const target = await freeName(path, opts.fileSuffix, opts.now);
  await rename(path, target.path);
  await syncDir(dirname(path));
  return { outcome: 'completed', target: target.path, renamedAround: !target.plain };
}

/** Moves a file (or directory) that cannot be carried into the quarantine folder; answers its new path. */
export async function quarantineSpoolFile(path: string, quarantineDir: string, now: number): Promise<string> {
  await mkdir(quarantineDir, { recursive: true });
  const target = await freeName(join(quarantineDir, basename(path)), '', now);
  await rename(path, target.path);
  await syncDir(dirname(path));
  await syncDir(quarantineDir);
  return target.path;
}

/**
 * Small filesystems for the ENOSPC scenario: a tmpfs of a given size mounted on a folder
 * (`mount -t tmpfs -o size=…`, needs root), and a filler file that takes all of its free space
 * (deleting the filler is "space returns"). Not root → the scenario fails with a message saying it
 * needs root (it is not skipped silently).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root (it mounts a small tmpfs with \`mount -t tmpfs -o size=…\`); run the fault suite as root`);
  }
}

/** Mounts a tmpfs of `size` (e.g. '2m') on `dir`; returns the unmount function. */
export function mountTmpfs(dir: string, size: string): () => void {
  requireRoot('the ENOSPC scenario');
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return () => {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // Already unmounted: nothing to free.
    }
  };
}

/** Fills the filesystem of `dir` with `<dir>/filler` until ENOSPC; returns the filler path. */
export function fillUp(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // Take the last partial block too.
  try {
    const fd2 = openSync(file, 'a');
    try {
      for (;;) writeSync(fd2, Buffer.alloc(1, 0x78));
    } finally {
      closeSync(fd2);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  return file;
}

/** Space returns: the filler is deleted. */
export function freeUp(filler: string): void {
  rmSync(filler, { force: true });
}

/**
 * A full disk under the buffer: the append (and so the source's acknowledgement) waits, the
 * error is counted and logged, and the append completes by itself once space returns.
 *
 * Method: as root, a 512 KiB tmpfs is mounted on a temp folder and filled with a filler file, so
 * the log's writes fail with a real ENOSPC. Without root (no mount), the same wait-and-retry
 * path is driven by a read-only buffer folder (EACCES on segment creation), and the test says
 * so in its name.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fillUp, freeUp } from '../../support/fault/tmpfs.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';
import { names, openLog, payload, readAll } from './log-support.js';

function tryMountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountable = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('disk buffer on a full disk', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let mounted: string | undefined;
  afterEach(async () => {
    if (mounted) execFileSync('umount', [mounted], { stdio: 'ignore' });
    mounted = undefined;
    await cleanup?.();
    cleanup = undefined;
  });

  const title = mountable
    ? 'ENOSPC (real, on a small tmpfs): the append waits, is counted, and completes once space returns'
    : 'no root to mount a tmpfs: a read-only buffer folder (EACCES) drives the same wait-and-retry path';

  it(title, async () => {
    const t = await tempDir('rxflume-enospc-');
    cleanup = t.cleanup;
    const mnt = join(t.dir, 'mnt');
    mkdirSync(mnt);
    let restore: () => void;
    const bufferDir = join(mnt, 'buffer');
    if (mountable && tryMountTmpfs(mnt, '512k')) {
      mounted = mnt;
      mkdirSync(bufferDir);
      const first = await openLog(bufferDir, { segmentBytes: 64 * 1024, sinkIds: ['a'] });
      expect(await first.log.append(payload('before', 1000), 1)).toBe('appended');
      const filler = fillUp(mnt);
      restore = () => freeUp(filler);
      await exercise(first, 'ENOSPC');
    } else {
      mkdirSync(bufferDir);
      const first = await openLog(bufferDir, { segmentBytes: 64 * 1024, sinkIds: ['a'] });
      expect(await first.log.append(payload('before', 1000), 1)).toBe('appended');
      // Force the next append into a new segment, which cannot be created in a read-only folder.
      await first.log.append(payload('fills', 64 * 1024), 1);
      chmodSync(bufferDir, 0o500);
      restore = () => chmodSync(bufferDir, 0o700);
      await exercise(first, 'EACCES');
    }

    async function exercise(first: Awaited<ReturnType<typeof openLog>>, code: string): Promise<void> {
      let answer: string | undefined;
      const pending = first.log.append(payload('during', 60 * 1024), 1).then((r) => {
        answer = r;
      });
      await waitFor(() => first.writeErrors.includes(code), { what: `a ${code} write error reported` });
      await sleep(300);
      expect(answer).toBeUndefined(); // not appended, so the source would not be acknowledged
      restore();
      await pending;
      expect(answer).toBe('appended');
      const frames = await readAll(first.log);
      expect(names(frames).filter((n) => n !== 'fills')).toEqual(['before', 'during']);
      await first.log.close();
      // A restart finds a clean log: nothing torn, the same frames.
      const again = await openLog(bufferDir, { segmentBytes: 64 * 1024, sinkIds: ['a'] });
      expect(again.torn).toBe(0);
      expect(names(await readAll(again.log)).filter((n) => n !== 'fills')).toEqual(['before', 'during']);
      await again.log.close();
    }
  }, 60_000);
});

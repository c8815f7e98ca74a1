import { appendFile, type FileHandle, open, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FINGERPRINT_BYTES,
  fingerprintHead,
  recheckHead,
  sameInode,
  sha1Plain,
  sha256LengthTagged,
  statHandle,
  statPath,
} from '../../src/sources/file-identity.js';
import { tempDir } from '../support/wait.js';

let dir: { dir: string; cleanup: () => Promise<void> };
const handles: FileHandle[] = [];

beforeEach(async () => {
  dir = await tempDir('rxflume-identity-');
});

afterEach(async () => {
  for (const fh of handles.splice(0)) await fh.close().catch(() => undefined);
  await dir.cleanup();
});

async function fileWith(name: string, content: string): Promise<{ path: string; fh: FileHandle }> {
  const path = join(dir.dir, name);
  await writeFile(path, content);
  const fh = await open(path, 'r');
  handles.push(fh);
  return { path, fh };
}

describe('file identity', () => {
  // Checkpoints and event ids hold these values: the schemes must never change.
  it.each([
    ['', 0, 'ba768b331fd86cec', 'da39a3ee5e6b4b0d'],
    ['hello\n', 6, '1290f366541ef766', 'f572d396fae92066'],
    ['x'.repeat(300), FINGERPRINT_BYTES, 'e6ece6a99692109a', '53dab55170165735'],
  ])('fingerprints the first bytes of %j with frozen schemes', async (content, bytes, tailHash, spoolHash) => {
    const { fh } = await fileWith('f.txt', content);
    const size = Buffer.byteLength(content);
    expect(await fingerprintHead(fh, size, sha256LengthTagged)).toEqual({ bytes, hash: tailHash });
    expect(await fingerprintHead(fh, size, sha1Plain)).toEqual({ bytes, hash: spoolHash });
  });

  it('accepts an unchanged head, grows a short fingerprint on request, and refuses a rewritten or cut file', async () => {
    const { path, fh } = await fileWith('f.txt', 'abc');
    const short = await fingerprintHead(fh, 3, sha256LengthTagged);
    expect(await recheckHead(fh, short, 3, sha256LengthTagged, true)).toBe(short);

    await appendFile(path, 'defgh');
    expect(await recheckHead(fh, short, 8, sha256LengthTagged, false)).toBe(short);
    const grown = await recheckHead(fh, short, 8, sha256LengthTagged, true);
    expect(grown).toEqual(await fingerprintHead(fh, 8, sha256LengthTagged));
    expect(grown?.bytes).toBe(8);

    await writeFile(path, 'XYZdefgh');
    expect(await recheckHead(fh, short, 8, sha256LengthTagged, true)).toBeUndefined();
    await truncate(path, 2);
    expect(await recheckHead(fh, short, 2, sha1Plain, false)).toBeUndefined();
  });

  it('refuses a head whose stated size is large enough but whose bytes are gone (truncate racing the check)', async () => {
    const { path, fh } = await fileWith('f.txt', 'abcdef');
    const head = await fingerprintHead(fh, 6, sha1Plain);
    await truncate(path, 3);
    expect(await recheckHead(fh, head, 6, sha1Plain, false)).toBeUndefined();
  });

  it('stats handles and paths with exact dev/ino strings; a missing path is undefined', async () => {
    const { path, fh } = await fileWith('f.txt', 'hello\n');
    const byHandle = await statHandle(fh);
    const byPath = await statPath(path);
    const plain = await stat(path, { bigint: true });
    expect(byHandle).toMatchObject({ dev: plain.dev.toString(), ino: plain.ino.toString(), size: 6, nlink: 1, isFile: true });
    expect(byPath).toEqual(byHandle);
    expect(sameInode(byHandle, byPath ?? { dev: '', ino: '' })).toBe(true);

    await unlink(path);
    expect(await statPath(path)).toBeUndefined();
    expect(await statPath(join(dir.dir, 'never'))).toBeUndefined();
  });
});

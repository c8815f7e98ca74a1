// The durable replace of checkpoint files on the shared worker thread, and its in-thread twin.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asRxfError } from '../../src/core/errors.js';
import { replaceStateFileSync } from '../../src/core/state-file-replace.js';
import { replaceStateFile } from '../../src/core/state-file-writer.js';
import { tempDir } from '../support/wait.js';

describe('state file writer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('replaces a file with the new text, making its folder, leaving no temp file', async () => {
    const folder = join(dir, 'state', 'deep');
    const file = join(folder, 'sink-a.json');
    await replaceStateFile({ dir: folder, file, body: '{"n":1}' });
    await replaceStateFile({ dir: folder, file, body: '{"n":2} ü' });
    expect(await readFile(file, 'utf8')).toBe('{"n":2} ü');
    expect(await readdir(folder)).toEqual(['sink-a.json']);
  });

  it('keeps the order of requests made at once', async () => {
    const file = join(dir, 'c.json');
    await Promise.all(Array.from({ length: 50 }, (_, i) => replaceStateFile({ dir, file, body: String(i) })));
    expect(await readFile(file, 'utf8')).toBe('49');
  });

  it('a failed step rejects with the errno fields, so it is classified like any fs error; the old file stays', async () => {
    const file = join(dir, 'b.json');
    await replaceStateFile({ dir, file, body: 'old' });
    await mkdir(`${file}.tmp`); // the temp file cannot be opened for writing
    const err = (await replaceStateFile({ dir, file, body: 'new' }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('EISDIR');
    expect(err.syscall).toBe('open');
    expect(asRxfError(err).code).toBe('RXF_IO');
    expect(await readFile(file, 'utf8')).toBe('old');
    await rm(`${file}.tmp`, { recursive: true });
    await replaceStateFile({ dir, file, body: 'new' });
    expect(await readFile(file, 'utf8')).toBe('new');
  });

  it('the in-thread fallback writes the same file and fails the same way', async () => {
    const file = join(dir, 'd.json');
    replaceStateFileSync({ dir: join(dir, 'x'), file: join(dir, 'x', 'd.json'), body: 'abc' });
    expect(await readFile(join(dir, 'x', 'd.json'), 'utf8')).toBe('abc');
    await mkdir(`${file}.tmp`);
    let err: NodeJS.ErrnoException | undefined;
    try {
      replaceStateFileSync({ dir, file, body: 'z' });
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    expect(err?.code).toBe('EISDIR');
  });
});

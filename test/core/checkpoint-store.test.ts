import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/core/checkpoint-store.js';
import { tempDir } from '../support/wait.js';

describe('CheckpointStore', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('round-trips state and writes atomically (no tmp file left)', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const store = new CheckpointStore<{ offset: number }>(t.dir, 'source-a');
    expect(await store.load()).toBeUndefined();
    await store.save({ offset: 42 });
    expect(await new CheckpointStore(t.dir, 'source-a').load()).toEqual({ offset: 42 });
    expect(await readdir(t.dir)).toEqual(['source-a.json']);
  });

  it('coalesces saves: the newest state wins', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    let writes = 0;
    const store = new CheckpointStore<number>(t.dir, 'c', { onWrite: () => writes++ });
    const saves = [];
    for (let i = 1; i <= 100; i++) saves.push(store.save(i));
    await Promise.all(saves);
    await store.flush();
    expect(await store.load()).toBe(100);
    expect(writes).toBeLessThan(100);
  });

  it.each([
    ['empty', ''],
    ['truncated', '{"version":1,"sta'],
    ['wrong shape', '[1,2,3]'],
  ])('recovers from a %s file: set aside, counted, fresh start', async (_name, content) => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await writeFile(join(t.dir, 'x.json'), content);
    const corrupt: string[] = [];
    const store = new CheckpointStore(t.dir, 'x', { onCorrupt: (_f, reason) => corrupt.push(reason) });
    expect(await store.load()).toBeUndefined();
    expect(corrupt).toHaveLength(1);
    const files = await readdir(t.dir);
    expect(files.some((f) => f.startsWith('x.json.corrupt-'))).toBe(true);
    await store.save({ ok: true });
    expect(JSON.parse(await readFile(join(t.dir, 'x.json'), 'utf8')).state).toEqual({ ok: true });
  });

  it('a failed write rejects and leaves the previous state in place', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const store = new CheckpointStore<number>(t.dir, 'y');
    await store.save(1);
    // A directory where the temp file should go makes the next write fail.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(t.dir, 'y.json.tmp'));
    await expect(store.save(2)).rejects.toMatchObject({ code: expect.stringMatching(/^RXF_/) });
    expect(await new CheckpointStore(t.dir, 'y').load()).toBe(1);
  });

  it('a state whose write failed is written by the next flush once the disk recovers (not dropped)', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const store = new CheckpointStore<number>(t.dir, 'z');
    await store.save(1);
    const { mkdir, rmdir } = await import('node:fs/promises');
    await mkdir(join(t.dir, 'z.json.tmp'));
    await expect(store.save(2)).rejects.toMatchObject({ code: expect.stringMatching(/^RXF_/) });
    await rmdir(join(t.dir, 'z.json.tmp'));
    await store.flush();
    expect(await new CheckpointStore(t.dir, 'z').load()).toBe(2);
  });
});

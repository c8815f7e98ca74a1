/**
 * The config file watch: an in-place write and an editor's rename-save are both reported, once
 * each, after the writes settle; a save without a content change and a missing file are not
 * changes; the poll finds changes when no notification arrives.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { type ConfigWatch, watchConfigFile } from '../../../src/core/reload-watch.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';

describe('config file watch', () => {
  let watch: ConfigWatch | undefined;
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    watch?.close();
    await cleanup();
  });

  async function setup(opts: { debounceMs?: number; pollIntervalMs?: number; notifications?: boolean } = {}) {
    const t = await tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'agent.yaml');
    writeFileSync(file, 'v: 1\n');
    const seen: number[] = [];
    watch = watchConfigFile(file, () => seen.push(Date.now()), { logger: silentLogger(), debounceMs: 100, ...opts });
    return { dir: t.dir, file, seen };
  }

  it('reports an in-place write once, after a burst of writes settles', async () => {
    const { file, seen } = await setup({ pollIntervalMs: 60_000 });
    for (let i = 2; i < 6; i++) {
      writeFileSync(file, `v: ${i}\n`);
      await sleep(10);
    }
    await waitFor(() => seen.length === 1, { what: 'the change to be reported' });
    await sleep(500);
    expect(seen).toHaveLength(1);
  });

  it("reports an editor's rename-save (new inode) and keeps watching after it", async () => {
    const { dir, file, seen } = await setup({ pollIntervalMs: 60_000 });
    writeFileSync(join(dir, '.agent.yaml.swp'), 'v: 2\n');
    renameSync(join(dir, '.agent.yaml.swp'), file);
    await waitFor(() => seen.length === 1, { what: 'the rename-save to be reported' });
    writeFileSync(join(dir, '.agent.yaml.swp'), 'v: 3\n');
    renameSync(join(dir, '.agent.yaml.swp'), file);
    await waitFor(() => seen.length === 2, { what: 'the second rename-save to be reported' });
  });

  it('a save with the same content and a file that is missing for a while are not changes', async () => {
    const { file, seen } = await setup({ pollIntervalMs: 50 });
    writeFileSync(file, 'v: 1\n');
    rmSync(file);
    await sleep(400);
    expect(seen).toHaveLength(0);
    writeFileSync(file, 'v: 1\n');
    await sleep(400);
    expect(seen).toHaveLength(0);
    writeFileSync(file, 'v: 2\n');
    await waitFor(() => seen.length === 1, { what: 'the real change to be reported' });
  });

  it('reports a ConfigMap-style update (the ..data symlink swapped to a new folder) by notification', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    // What the kubelet mounts: agent.yaml -> ..data/agent.yaml, ..data -> ..<timestamp>/.
    const dir = t.dir;
    mkdirSync(join(dir, '..2026_01'));
    writeFileSync(join(dir, '..2026_01', 'agent.yaml'), 'v: 1\n');
    symlinkSync('..2026_01', join(dir, '..data'));
    symlinkSync(join('..data', 'agent.yaml'), join(dir, 'agent.yaml'));
    const seen: number[] = [];
    // The poll is far off: only the folder's notifications can report the swap in time.
    watch = watchConfigFile(join(dir, 'agent.yaml'), () => seen.push(Date.now()), {
      logger: silentLogger(),
      debounceMs: 100,
      pollIntervalMs: 60_000,
    });
    // The kubelet's update: a new folder, a new symlink renamed over ..data, the old folder removed.
    mkdirSync(join(dir, '..2026_02'));
    writeFileSync(join(dir, '..2026_02', 'agent.yaml'), 'v: 2\n');
    symlinkSync('..2026_02', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..2026_01'), { recursive: true });
    await waitFor(() => seen.length === 1, { what: 'the swap to be reported' });
    await sleep(400);
    expect(seen).toHaveLength(1);
  });

  it('the poll finds a change when no notification comes', async () => {
    // A filesystem without notifications: only the poll can see the change.
    const { file, seen } = await setup({ pollIntervalMs: 50, notifications: false });
    writeFileSync(file, 'v: 2\n');
    await waitFor(() => seen.length === 1, { what: 'the poll to report the change' });
  });

  it('close() stops reporting', async () => {
    const { file, seen } = await setup({ pollIntervalMs: 50 });
    (watch as ConfigWatch).close();
    writeFileSync(file, 'v: 2\n');
    await sleep(500);
    expect(seen).toHaveLength(0);
  });
});

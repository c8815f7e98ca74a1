/** HDFS sinks over a WebHDFS emulator, per test: `emulator` (its namespace in a temp dir) and `state`. */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ComponentContext, Sink } from '../../../src/core/component.js';
import { hdfsSink } from '../../../src/sinks/hdfs/index.js';
import { testContext } from '../../support/context.js';
import { tempDir } from '../../support/wait.js';
import { WebHdfsEmulator } from '../../support/webhdfs/emulator.js';
import { listTree } from './support.js';

export interface WebHdfsDirs {
  readonly emulator: WebHdfsEmulator;
  /** The emulator's namespace folder (HDFS '/'). */
  readonly root: string;
  readonly state: string;
  /** Starts a sink on the emulator (closed after the test). */
  sink(options?: Record<string, unknown>, extra?: Partial<ComponentContext>): Promise<{ sink: Sink; ctx: ComponentContext }>;
  /** Restarts the emulator's servers on new ports over the same namespace (e.g. with other states). */
  restart(states?: ('active' | 'standby')[], ports?: number[]): Promise<WebHdfsEmulator>;
}

export function useWebHdfs(states: ('active' | 'standby')[] = ['active']): WebHdfsDirs {
  let emulator: WebHdfsEmulator | undefined;
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const open: Sink[] = [];
  beforeEach(async () => {
    const t = await tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    emulator = await WebHdfsEmulator.start(join(dir, 'hdfs'), states);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
    await emulator?.stop();
    await cleanup();
  });
  return {
    get emulator() {
      return emulator as WebHdfsEmulator;
    },
    get root() {
      return join(dir, 'hdfs');
    },
    get state() {
      return join(dir, 'state');
    },
    async sink(options = {}, extra = {}) {
      const e = emulator as WebHdfsEmulator;
      const urls = e.urls;
      const endpoint = urls.length === 1 ? { url: urls[0] } : { namenodes: urls };
      const config = hdfsSink.configSchema.parse({
        path: '/out',
        rollInterval: 0,
        user: 'flume',
        requestTimeoutMs: 5000,
        ...endpoint,
        ...options,
      });
      const ctx = testContext('hdfs1', join(dir, 'state'), extra);
      const sink = hdfsSink.create(config, ctx);
      open.push(sink);
      await sink.start();
      return { sink, ctx };
    },
    async restart(next = states, ports = []) {
      await emulator?.stop();
      emulator = await WebHdfsEmulator.start(join(dir, 'hdfs'), next, ports);
      return emulator;
    },
  };
}

/** Final (published) and in-use files under the namespace, relative to it. */
export async function published(root: string): Promise<{ finals: string[]; inUse: string[] }> {
  const files = await listTree(root);
  return { finals: files.filter((f) => !f.endsWith('.tmp')), inUse: files.filter((f) => f.endsWith('.tmp')) };
}

/** Writes a batch, retrying retriable failures like the sink lane does (up to `attempts`). */
export async function writeWithRetry(sink: Sink, batch: Parameters<Sink['write']>[0], attempts = 50): Promise<number> {
  for (let i = 1; ; i++) {
    try {
      await sink.write(batch);
      return i;
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

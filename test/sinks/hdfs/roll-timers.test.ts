/**
 * Roll timers of the HDFS sink: long roll intervals and idle timeouts (past what one Node timer
 * can hold, ~24.8 days) must wait as configured, never fire at once.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sink } from '../../../src/core/component.js';
import { sleep, tempDir } from '../../support/wait.js';
import { finalFiles, inUseFiles, rolled, startSink } from './harness.js';
import { readLines, textBatch } from './support.js';

/** 30 days in seconds: more milliseconds than a single setTimeout accepts (2^31 - 1). */
const THIRTY_DAYS_S = 30 * 24 * 3600;

describe('hdfs sink roll timers', () => {
  let root: string;
  let state: string;
  let cleanup: () => Promise<void>;
  const open: Sink[] = [];
  beforeEach(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    root = join(t.dir, 'hdfs');
    state = join(t.dir, 'state');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
    await cleanup();
  });

  for (const option of ['rollInterval', 'idleTimeout'] as const) {
    it(`a ${option} longer than one timer can hold keeps the file open`, async () => {
      const { sink, ctx } = await startSink(root, state, { [option]: THIRTY_DAYS_S });
      open.push(sink);
      await sink.write(textBatch(0, 2));
      await sleep(200); // an overflowing timer fires after 1 ms
      await sink.write(textBatch(2, 2));
      expect(await rolled(ctx)).toBe(0);
      const files = await inUseFiles(root);
      expect(files).toHaveLength(1);
      expect(await readLines(files[0] as string)).toEqual(['line-0', 'line-1', 'line-2', 'line-3']);
      expect(await finalFiles(root)).toEqual([]);
    });
  }
});

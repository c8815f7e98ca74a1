/**
 * Roll timers of the HDFS sink: long roll intervals and idle timeouts (past what one Node timer
 * can hold, ~24.8 days) must wait as configured, never fire at once.
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../support/wait.js';
import { finalFiles, inUseFiles, rolled, startSink, useSinkDirs } from './harness.js';
import { readLines, textBatch } from './support.js';

/** 30 days in seconds: more milliseconds than a single setTimeout accepts (2^31 - 1). */
const THIRTY_DAYS_S = 30 * 24 * 3600;

describe('hdfs sink roll timers', () => {
  const dirs = useSinkDirs();

  for (const option of ['rollInterval', 'idleTimeout'] as const) {
    it(`a ${option} longer than one timer can hold keeps the file open`, async () => {
      const { sink, ctx } = dirs.track(await startSink(dirs.root, dirs.state, { [option]: THIRTY_DAYS_S }));
      await sink.write(textBatch(0, 2));
      await sleep(200); // an overflowing timer fires after 1 ms
      await sink.write(textBatch(2, 2));
      expect(await rolled(ctx)).toBe(0);
      const files = await inUseFiles(dirs.root);
      expect(files).toHaveLength(1);
      expect(await readLines(files[0] as string)).toEqual(['line-0', 'line-1', 'line-2', 'line-3']);
      expect(await finalFiles(dirs.root)).toEqual([]);
    });
  }
});

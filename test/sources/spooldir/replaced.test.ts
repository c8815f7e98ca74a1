import { readdir, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { lines, spoolFile, useSpoolDirs } from './harness.js';

const dirs = useSpoolDirs();

describe('spooldir: a file replaced under its name while its events are in flight', () => {
  it.each(['never', 'immediate'])(
    'finishing the old file never renames or deletes the new one (deletePolicy %s): the new file is read',
    async (deletePolicy) => {
      const first = lines('old', 5);
      await spoolFile(dirs.spoolDir, 'a.log', `${first.join('\n')}\n`);
      const run = dirs.start({ autoAck: false, config: { deletePolicy } });
      await waitFor(() => run.events.length === 5, { what: 'the old file read' });

      // The producer (against the contract) puts a new file under the same name.
      const second = lines('new', 3);
      const staging = join(dirs.spoolDir, '.staging');
      await writeFile(staging, `${second.join('\n')}\n`);
      const t = (Date.now() - 60_000) / 1000;
      await utimes(staging, t, t);
      await rename(staging, join(dirs.spoolDir, 'a.log'));

      run.autoAck = true;
      run.settle();
      await waitFor(() => run.events.length === 8, { what: 'the new file read too' });
      expect(run.bodies()).toEqual([...first, ...second]);
      const finished = deletePolicy === 'never' ? ['a.log.COMPLETED'] : [];
      await waitFor(async () => JSON.stringify(await readdir(dirs.spoolDir)) === JSON.stringify(finished), {
        what: `spool folder ${JSON.stringify(finished)}`,
      });
    },
  );
});

/**
 * Fault 3: WebHDFS faults during roll and rename. Status days go to a WebHDFS emulator with a
 * small rollSize (many rolls), while the emulator answers some CREATEs (the roll's new file) with
 * 503, resets some APPENDs half-way, delays one APPEND past the client timeout, fails RENAMEs
 * (the roll's final step) with 500, and performs some RENAMEs but drops the reply. Midway the
 * agent is killed with kill -9 and restarted. Oracle: nothing lost; no file under a final name is
 * partial; no in-use file left; duplicates only from the one kill's in-flight window; every
 * injected fault was actually hit.
 */
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { crashWindow } from '../support/fault/config.js';
import { stopAndJudge } from '../support/fault/judge.js';
import { waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { SIZE_NAME, SIZES } from '../support/fault/sizes.js';
import { useFaultRig } from '../support/fault/use-rig.js';
import { waitFor } from '../support/wait.js';

describe.each(bufferKinds({ diskInShort: false }))('WebHDFS faults during roll and rename (%s buffer)', (buffer) => {
  const rigs = useFaultRig();

  it(`${SIZES.webhdfsCars} status car-days through failing CREATE/APPEND/RENAME and a kill -9: nothing lost`, {
    timeout: 900_000,
  }, async () => {
    const r = await rigs.create({ buffer, webhdfs: true, rollSize: '256KiB' });
    const hdfs = r.emulator as NonNullable<typeof r.emulator>;
    hdfs.fail({ op: 'CREATE', status: 503, exception: 'RetriableException', times: 2 });
    hdfs.fail({ op: 'APPEND', reset: true, times: 2 });
    hdfs.fail({ op: 'APPEND', delayMs: 4000, times: 1 });
    hdfs.fail({ op: 'RENAME', status: 500, exception: 'IOException', times: 3 });
    hdfs.fail({ op: 'RENAME', dropResponse: true, times: 2 });
    r.spoolStatusDay(SIZES.webhdfsCars, 11);
    r.appendDriving(2000);
    await r.start();
    // Kill once the first rolls happened (some faults consumed), then restart.
    await waitFor(() => hdfs.count('RENAME') >= 3, { timeoutMs: 300_000, intervalMs: 100, what: 'three RENAME attempts' });
    await r.kill9();
    r.spoolStatusDay(SIZES.webhdfsCars, 12);
    r.appendDriving(2000);
    const agent = await r.start();
    await waitAllDelivered(r, 600_000);
    await waitBalanced(agent, buffer);
    await stopAndJudge(r, `webhdfs roll/rename faults + kill -9 (${buffer}, ${SIZE_NAME})`, 2 * crashWindow(buffer));
    // Every injected fault was met (the scenario tested what it says).
    expect(hdfs.count('RENAME')).toBeGreaterThanOrEqual(5);
    expect(hdfs.count('CREATE', 'datanode')).toBeGreaterThanOrEqual(3);
    expect(hdfs.count('APPEND', 'datanode')).toBeGreaterThanOrEqual(4);
  });
});

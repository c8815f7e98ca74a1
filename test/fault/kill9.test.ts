/**
 * Fault 1: kill -9 at random (seeded) moments during spool + tail, restart each time.
 * Status days are spooled to the HDFS layout while driving lines are appended to the followed
 * log; the agent is killed `SIZES.kills` times at a random moment, then a last run delivers the
 * rest and stops with SIGTERM. Oracle: nothing lost, duplicates within kills × 2 sources ×
 * crashWindow (what a kill can leave read-but-unacknowledged or acknowledged-but-not-yet-
 * checkpointed, see config.ts), order per car kept, no partial or in-use file, counters balance.
 */
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { crashWindow } from '../support/fault/config.js';
import { waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { CLEAN_VERDICT, collectReport, summarize, verdict } from '../support/fault/oracle.js';
import { runSeed, seededRandom } from '../support/fault/random.js';
import { SIZE_NAME, SIZES } from '../support/fault/sizes.js';
import { useFaultRig } from '../support/fault/use-rig.js';
import { sleep } from '../support/wait.js';

describe.each(bufferKinds({ diskInShort: true }))('kill -9 at random moments (%s buffer)', (buffer) => {
  const rigs = useFaultRig();

  it(`${SIZES.kills} kills over ${SIZES.killCars} status cars + ${SIZES.killDrivingLines} driving lines: nothing lost`, {
    timeout: 1_800_000,
  }, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const r = await rigs.create({ buffer });
    // Status days go in up front (one file per car pair at most, so several files are spooled
    // across the kills); driving lines are appended while the agent runs.
    const days = Math.min(SIZES.killCars, 5);
    for (let d = 0; d < days; d++) r.spoolStatusDay(Math.ceil(SIZES.killCars / days), seed + d);
    const perRound = Math.ceil(SIZES.killDrivingLines / (SIZES.kills + 1));
    for (let round = 0; round <= SIZES.kills; round++) {
      const agent = await r.start();
      const left = SIZES.killDrivingLines - r.drivingIn.length;
      const chunks = 5;
      for (let k = 0; k < chunks; k++) {
        r.appendDriving(Math.max(0, Math.min(Math.ceil(perRound / chunks), left - k * Math.ceil(perRound / chunks))));
        await sleep(20 + Math.floor(random() * 200));
      }
      if (round < SIZES.kills) {
        await sleep(Math.floor(random() * 1500));
        await r.kill9();
      } else {
        await waitAllDelivered(r, 900_000);
        const balance = await waitBalanced(agent, buffer);
        expect(balance.received).toBeGreaterThan(0);
        expect(await r.stop()).toBe(0);
      }
    }
    await sleep(500); // a late duplicate would have reached the reader by now
    const bound = SIZES.kills * 2 * crashWindow(buffer);
    const report = await collectReport(`kill -9 x${SIZES.kills} (${buffer}, ${SIZE_NAME}, seed ${seed})`, r, bound);
    summarize(report);
    expect(verdict(report)).toEqual(CLEAN_VERDICT);
  });
});

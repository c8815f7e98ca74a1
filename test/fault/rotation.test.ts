/**
 * Fault 6: a rotation storm on the followed driving log — SIZES.rotations rotations, alternating
 * rename+create (logrotate `create`) and copytruncate, at a steady 5 k lines/s. The writer never
 * appends between a copytruncate's copy and its truncate (that window loses data with any
 * follower; logrotate documents it). Oracle: nothing lost, nothing repeated beyond one in-flight
 * window, per-car order kept on the topic, and the follower saw every rotation (its counter).
 */
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { DEFAULT_MAX_EVENTS, DEFAULT_SINK_BATCH } from '../support/fault/config.js';
import { stopAndJudge } from '../support/fault/judge.js';
import { rotateByCopyTruncate, rotateByRename, steadyLoad } from '../support/fault/load.js';
import { scrape, sumSeries, waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { SIZE_NAME, SIZES } from '../support/fault/sizes.js';
import { useFaultRig } from '../support/fault/use-rig.js';

describe.each(bufferKinds({ diskInShort: false }))('rotation storm on the followed log (%s buffer)', (buffer) => {
  const rigs = useFaultRig();

  it(`${SIZES.rotations} rotations (rename+create / copytruncate) at ${SIZES.loadLinesPerSec} lines/s: nothing lost, order kept`, {
    timeout: 900_000,
  }, async () => {
    const r = await rigs.create({ buffer });
    r.spoolStatusDay(1, 31);
    const agent = await r.start();
    let done = 0;
    /** Driving lines written before each rotation (to place a lost line in a rotated file). */
    const rotatedAt: number[] = [];
    const every = SIZES.rotationEveryMs;
    let lastAt = 0;
    await steadyLoad(r, SIZES.loadLinesPerSec, 20 * (SIZES.rotations + 1) * every, async (elapsed) => {
      if (done === SIZES.rotations) return elapsed >= lastAt + every;
      // One rotation per follower look: the next comes only once the follower counted the last.
      // Rotations the follower never saw (up to 4 between two looks) are covered by
      // test/sources/tail/unseen-rotations.test.ts; see docs/reliability.md, "rotation race".
      if (elapsed < lastAt + every) return false;
      if (done > 0 && sumSeries(await scrape(agent), 'rxflume_tail_rotations_total') < done) return false;
      if (done % 2 === 0) rotateByRename(r.drivingLog);
      else rotateByCopyTruncate(r.drivingLog);
      done++;
      lastAt = elapsed;
      rotatedAt.push(r.drivingIn.length);
      return false;
    });
    expect(done).toBe(SIZES.rotations);
    await waitAllDelivered(r, 300_000).catch((err: Error) => {
      throw new Error(`${err.message}; rotations happened after lines ${rotatedAt.join(', ')}`);
    });
    await waitBalanced(agent, buffer);
    const rotations = sumSeries(await scrape(agent), 'rxflume_tail_rotations_total');
    await stopAndJudge(
      r,
      `${SIZES.rotations} rotations @${SIZES.loadLinesPerSec}/s (${buffer}, ${SIZE_NAME}, seen ${rotations})`,
      DEFAULT_MAX_EVENTS + DEFAULT_SINK_BATCH,
    );
    expect(rotations).toBeGreaterThanOrEqual(SIZES.rotations);
  });
});

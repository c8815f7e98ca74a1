/**
 * Sizes of the fault scenarios. `RXFLUME_FAULTS=full` (set by test/fault/vitest.config.ts, i.e.
 * `npm run test:faults`) runs the issue-8 sizes; otherwise the short version runs inside `npm test`
 * (same scenarios, fewer kills/lines/rotations and a shorter outage, so the whole folder stays
 * within a few minutes on a loaded 2-core machine).
 */
export const FULL = process.env.RXFLUME_FAULTS === 'full';

export const SIZES = FULL
  ? {
      /** kill -9: status cars (21,601 lines each) + driving lines, and the number of kills. */
      killCars: 10,
      killDrivingLines: 60_000,
      kills: 20,
      /** Broker outage under a steady load. */
      outageMs: 30_000,
      loadLinesPerSec: 5000,
      /** Rotations of the driving log at the steady load. */
      rotations: 100,
      rotationEveryMs: 600,
      /** WebHDFS roll/rename faults: status cars spooled. */
      webhdfsCars: 4,
      badInputLines: 40_000,
    }
  : {
      killCars: 2,
      killDrivingLines: 8000,
      kills: 4,
      outageMs: 5000,
      loadLinesPerSec: 5000,
      rotations: 10,
      rotationEveryMs: 500,
      webhdfsCars: 1,
      badInputLines: 6000,
    };

export const SIZE_NAME = FULL ? 'full' : 'short';

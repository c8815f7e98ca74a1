/**
 * A steady writer for the driving log: `linesPerSec` lines appended in ticks of 100 ms, catching
 * up after a slow tick (the rate is kept by elapsed time, not by timer accuracy). `onTick` runs
 * between appends (never during one), so a rotation there never races the writer: the only
 * loss window of copytruncate (bytes written between the copy and the truncate) stays closed,
 * as logrotate's own docs require of the writer. `onTick` returning true ends the load.
 */
import { copyFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { sleep } from '../wait.js';
import type { FaultRig } from './rig.js';

export async function steadyLoad(
  rig: FaultRig,
  linesPerSec: number,
  durationMs: number,
  onTick?: (elapsedMs: number) => unknown,
): Promise<void> {
  const start = Date.now();
  let written = 0;
  for (;;) {
    const elapsed = Date.now() - start;
    const due = Math.floor((Math.min(elapsed, durationMs) * linesPerSec) / 1000);
    if (due > written) {
      rig.appendDriving(due - written);
      written = due;
    }
    if (elapsed >= durationMs) return;
    // `true` from onTick ends the load early (its goal was reached).
    if ((await onTick?.(elapsed)) === true) return;
    await sleep(100);
  }
}

let rotated = 0;

/** logrotate `create`: the log is renamed away and a new empty one takes its name. */
export function rotateByRename(log: string): void {
  renameSync(log, `${log}.r${++rotated}`);
  writeFileSync(log, '');
}

/** logrotate `copytruncate`: the log is copied to a sibling, then truncated in place. */
export function rotateByCopyTruncate(log: string): void {
  copyFileSync(log, `${log}.c${++rotated}`);
  truncateSync(log, 0);
}

/** Unique, schema-valid driving log lines for tests: line i is different from every other line. */
import { appendFileSync } from 'node:fs';

const STEER = ['F', 'L1', 'L2', 'L3', 'R1', 'R2', 'R3'];
const LIGHT = ['N', 'L', 'R'];

export function drivingLine(i: number): string {
  const t = new Date(Date.UTC(2019, 0, 1) + i * 2000);
  const stamp =
    `${t.getUTCFullYear()}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}` +
    `${String(t.getUTCHours()).padStart(2, '0')}${String(t.getUTCMinutes()).padStart(2, '0')}${String(t.getUTCSeconds()).padStart(2, '0')}`;
  const car = `${String.fromCharCode(65 + (i % 26))}${String((i % 100) + 1).padStart(4, '0')}`;
  const area = `${'ABCDEF'[i % 6]}${String((i % 10) + 1).padStart(2, '0')}`;
  return `${stamp},${car},${i % 6},0,${STEER[i % 7]},${LIGHT[i % 3]},${i % 251},${area}`;
}

export const DRIVING_HEADER = 'Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum';

/**
 * Appends the next `n` driving lines (drivingLine(0), (1), … across calls) to `log`, as a log
 * writer would, and keeps every line written in `lines` (in order) for the test's expectations.
 */
export function drivingAppender(log: string): { readonly write: (n: number) => void; readonly lines: string[] } {
  let next = 0;
  const lines: string[] = [];
  const write = (n: number): void => {
    const batch = Array.from({ length: n }, () => drivingLine(next++));
    appendFileSync(log, `${batch.join('\n')}\n`);
    lines.push(...batch);
  };
  return { write, lines };
}

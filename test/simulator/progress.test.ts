/** The status simulator's progress output: a bar redrawn in place on a terminal, plain lines otherwise, nothing when quiet. */
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/simulator/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (t: string) => writes.push(t) }, writes };
}

describe('progress reporter', () => {
  it('draws a bar with carriage returns on a terminal and ends the line at 100 %', () => {
    const { out, writes } = sink(true);
    const report = progressReporter('status 20160101', out);
    report(500, 1000);
    report(1000, 1000);
    expect(writes[0]).toBe(`\rstatus 20160101 [${'#'.repeat(15)}${'-'.repeat(15)}]  50% 500/1,000 lines`);
    expect(writes.slice(1)).toEqual([`\rstatus 20160101 [${'#'.repeat(30)}] 100% 1,000/1,000 lines`, '\n']);
  });

  it('prints a plain line per 10 % otherwise, and nothing when quiet', () => {
    const { out, writes } = sink(false);
    const report = progressReporter('status 20160101', out);
    for (const done of [50, 120, 150, 990, 1000]) report(done, 1000);
    expect(writes).toEqual([
      'status 20160101: 0% (50 of 1,000 lines)\n',
      'status 20160101: 10% (120 of 1,000 lines)\n',
      'status 20160101: 90% (990 of 1,000 lines)\n',
      'status 20160101: 100% (1,000 of 1,000 lines)\n',
    ]);
    const quiet = sink(true);
    progressReporter('x', quiet.out, { quiet: true })(1, 2);
    expect(quiet.writes).toEqual([]);
  });
});

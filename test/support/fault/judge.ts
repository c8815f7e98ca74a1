/**
 * The end of a fault scenario, the same in every file: stop the agent (it must drain and exit 0),
 * give a late duplicate time to reach the topic reader, then run the oracle, print the summary
 * line and require the clean verdict. Returns the report for scenario-specific checks.
 */
import { expect } from 'vitest';
import { sleep } from '../wait.js';
import { CLEAN_VERDICT, collectReport, type ScenarioReport, summarize, verdict } from './oracle.js';
import type { FaultRig } from './rig.js';

/** How long a duplicate still in flight at stop may take to show up at the reader. */
const LATE_DUPLICATE_MS = 500;

export async function stopAndJudge(rig: FaultRig, scenario: string, dupBound: number): Promise<ScenarioReport> {
  expect(await rig.stop()).toBe(0);
  await sleep(LATE_DUPLICATE_MS);
  const report = await collectReport(scenario, rig, dupBound);
  summarize(report);
  expect(verdict(report)).toEqual(CLEAN_VERDICT);
  return report;
}

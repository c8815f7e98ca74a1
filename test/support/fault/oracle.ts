/**
 * The oracle of design.md §5, checked after every fault scenario:
 *   - every input line was delivered at least once (status lines in the HDFS layout's final files,
 *     minus the appended collection day; driving lines as topic message values): lost = 0;
 *   - nothing was delivered that is not an input line (a partial line under a final name, or a
 *     garbage line that slipped through, would show here): unexpected = 0;
 *   - duplicates stay within the stated in-flight bound;
 *   - per car, first deliveries keep input order (per file series / per partition);
 *   - no final file is partial (each ends with a newline) and no in-use `.tmp` file is left.
 * `summarize` prints the scenario's one line: `scenario | lines in | delivered | duplicates | lost`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FaultRig } from './rig.js';

export interface StreamResult {
  readonly linesIn: number;
  /** Distinct input lines delivered. */
  readonly delivered: number;
  /** Deliveries beyond the first of a line. */
  readonly duplicates: number;
  readonly lost: number;
  /** Delivered lines that were never input (partial or foreign). */
  readonly unexpected: number;
  /** Cars whose first deliveries are out of input order. */
  readonly orderViolations: number;
  readonly firstLost?: string;
  readonly firstUnexpected?: string;
}

/** Compares deliveries (in delivery order within each ordered group) with the input. */
export function checkStream(input: readonly string[], groups: readonly (readonly string[])[]): StreamResult {
  const index = new Map<string, number>();
  for (let i = 0; i < input.length; i++) index.set(input[i] as string, i);
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  let firstUnexpected: string | undefined;
  let orderViolations = 0;
  for (const group of groups) {
    const lastPerCar = new Map<string, number>();
    for (const line of group) {
      const at = index.get(line);
      if (at === undefined) {
        unexpected++;
        firstUnexpected ??= line.slice(0, 200);
        continue;
      }
      if (seen.has(line)) {
        duplicates++;
        continue;
      }
      seen.add(line);
      const car = line.split(',', 2)[1] ?? '';
      const last = lastPerCar.get(car);
      if (last !== undefined && at < last) orderViolations++;
      lastPerCar.set(car, at);
    }
  }
  let lost = 0;
  let firstLost: string | undefined;
  for (const line of input) {
    if (!seen.has(line)) {
      lost++;
      firstLost ??= line;
    }
  }
  return { linesIn: input.length, delivered: seen.size, duplicates, lost, unexpected, orderViolations, firstLost, firstUnexpected };
}

export interface HdfsFiles {
  /** Lines of the final status files, one group per file series (sorted by name, i.e. by counter). */
  readonly groups: string[][];
  readonly inUse: string[];
  readonly partial: string[];
}

/** Reads the status files of the HDFS layout; the appended collection day is cut off each line. */
export async function readStatusFiles(root: string): Promise<HdfsFiles> {
  const files = listFiles(root);
  const inUse = files.filter((f) => f.endsWith('.tmp'));
  const finals = files.filter((f) => f.includes('car-batch-log') && f.endsWith('.log'));
  // One series per folder (wrk_date=…): file names carry a growing counter, so name order is write order.
  const byDir = new Map<string, string[]>();
  for (const f of finals) {
    const dir = f.slice(0, f.lastIndexOf('/'));
    byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
  }
  const partial: string[] = [];
  const groups: string[][] = [];
  for (const series of byDir.values()) {
    const lines: string[] = [];
    for (const f of series.sort()) {
      const text = readFileSync(join(root, f), 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) partial.push(f);
      for (const line of text.split('\n').slice(0, -1)) lines.push(line.slice(0, line.lastIndexOf(',')));
    }
    groups.push(lines);
  }
  return { groups, inUse, partial };
}

/** Topic values grouped per partition in offset order (the order a consumer sees). */
export function drivingGroups(rig: FaultRig): string[][] {
  const byPartition = new Map<number, { offset: bigint; value: string }[]>();
  for (const m of rig.reader.messages) {
    const list = byPartition.get(m.partition) ?? [];
    list.push({ offset: BigInt(m.offset), value: m.value.toString() });
    byPartition.set(m.partition, list);
  }
  return [...byPartition.values()].map((l) => l.sort((a, b) => (a.offset < b.offset ? -1 : 1)).map((x) => x.value));
}

export interface ScenarioReport {
  readonly scenario: string;
  readonly status: StreamResult;
  readonly driving: StreamResult;
  readonly files: HdfsFiles;
  readonly dupBound: number;
}

export async function collectReport(scenario: string, rig: FaultRig, dupBound: number): Promise<ScenarioReport> {
  const files = await readStatusFiles(rig.hdfsRoot);
  return {
    scenario,
    status: checkStream(rig.statusIn, files.groups),
    driving: checkStream(rig.drivingIn, drivingGroups(rig)),
    files,
    dupBound,
  };
}

/** The one-line summary (both streams together), printed and returned. */
export function summarize(r: ScenarioReport): string {
  const linesIn = r.status.linesIn + r.driving.linesIn;
  const delivered = r.status.delivered + r.driving.delivered;
  const duplicates = r.status.duplicates + r.driving.duplicates;
  const lost = r.status.lost + r.driving.lost;
  const line = `${r.scenario} | ${linesIn} | ${delivered} | ${duplicates} | ${lost}`;
  console.log(`FAULT SUMMARY: ${line}`);
  console.log(
    `  status: ${r.status.linesIn} in, ${r.status.duplicates} duplicates; driving: ${r.driving.linesIn} in, ` +
      `${r.driving.duplicates} duplicates; duplicate bound ${r.dupBound}`,
  );
  return line;
}

/** Every oracle condition as one object, so a failure shows all of them at once. */
export function verdict(r: ScenarioReport) {
  return {
    statusLost: r.status.lost,
    drivingLost: r.driving.lost,
    statusUnexpected: r.status.unexpected,
    drivingUnexpected: r.driving.unexpected,
    duplicates:
      r.status.duplicates + r.driving.duplicates <= r.dupBound
        ? 'within bound'
        : `status ${r.status.duplicates} + driving ${r.driving.duplicates} > bound ${r.dupBound}`,
    statusOrderViolations: r.status.orderViolations,
    drivingOrderViolations: r.driving.orderViolations,
    inUseFiles: r.files.inUse,
    partialFiles: r.files.partial,
  };
}

export const CLEAN_VERDICT = {
  statusLost: 0,
  drivingLost: 0,
  statusUnexpected: 0,
  drivingUnexpected: 0,
  duplicates: 'within bound',
  statusOrderViolations: 0,
  drivingOrderViolations: 0,
  inUseFiles: [],
  partialFiles: [],
};

/** Every file below `root` as a relative path (test/support/pilot.ts has one too, but it loads the agent in-process). */
function listFiles(root: string): string[] {
  try {
    return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

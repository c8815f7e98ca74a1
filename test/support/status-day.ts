/**
 * The pilot status-day acceptance flow shared by the local-layout and WebHDFS tests: write the
 * seeded day (100 cars), move it into the spool folder of a pilot agent, wait until the source
 * deleted it (which it does only after every line was acknowledged), and compare the text files
 * the sink wrote with the source lines plus the collection date.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from '../../src/core/agent.js';
import { STATUS_HEADER, statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { localDay } from './pilot.js';
import { waitFor } from './wait.js';

export const STATUS_DATE = '20160101';
const SEED = 7;
const CARS = 100;

export interface SpooledDay {
  readonly agent: Agent;
  readonly dataLines: number;
  readonly headerLines: number;
  /** yyyyMMdd of the run (the pilot's collection date, appended to every line). */
  readonly collectDay: string;
  readonly elapsedMs: number;
  readonly drained: boolean;
}

/** Spools the day through an agent started by `start` (after the file is written) and stops it. */
export async function spoolStatusDay(dataDir: string, start: () => Promise<Agent>): Promise<SpooledDay> {
  const work = join(dataDir, 'work', statusFileName(STATUS_DATE));
  const { dataLines, headerLines } = writeStatusDay({ date: STATUS_DATE, cars: CARS, file: work, seed: SEED });
  const startedAt = Date.now();
  const agent = await start();
  const spooled = join(dataDir, 'car-batch-log', statusFileName(STATUS_DATE));
  await mkdir(join(dataDir, 'car-batch-log'), { recursive: true });
  await rename(work, spooled);
  await waitFor(() => !existsSync(spooled), {
    timeoutMs: 540_000,
    intervalMs: 200,
    what: 'the spool file to be deleted after full acknowledgement',
  });
  const elapsedMs = Date.now() - startedAt;
  const { drained } = await agent.stop();
  return { agent, dataLines, headerLines, collectDay: localDay(startedAt), elapsedMs, drained };
}

/** The lines the sink must have written: the source's data lines, each with `,<collectDay>`. */
export async function expectedStatusLines(dataDir: string, collectDay: string): Promise<string[]> {
  // The spool file was deleted by the pipeline; regenerate the same seeded day.
  const file = join(dataDir, 'expected', statusFileName(STATUS_DATE));
  writeStatusDay({ date: STATUS_DATE, cars: CARS, file, seed: SEED });
  const source = (await readFile(file, 'utf8')).split('\n');
  return source.filter((l) => l !== '' && l !== STATUS_HEADER).map((l) => `${l},${collectDay}`);
}

/** The lines of text files (each ending in a newline), in file order. */
export async function readTextLines(root: string, files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) for (const line of (await readFile(join(root, f), 'utf8')).split('\n').slice(0, -1)) out.push(line);
  return out;
}

/** How many positions differ (a count, so a failure does not print two million lines). */
export function mismatches(written: readonly string[], expected: readonly string[]): number {
  let n = Math.abs(written.length - expected.length);
  for (let i = 0; i < Math.min(written.length, expected.length); i++) if (written[i] !== expected[i]) n++;
  return n;
}

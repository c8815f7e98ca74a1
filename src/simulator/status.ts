/**
 * The car status log of the smart-car pilot (shared/reference smartcar-data §1): one file per
 * simulated day, one header line per car, then one line every 4 simulated seconds per car from
 * 000000 to the quirky `240000` (21,601 data lines per car), cars interleaved, 13
 * comma-separated fields (15 with `schemaVersion: 2`: odometer_km growing per car, then
 * firmware_version).
 *
 * Values follow the original simulator's weights; failures (tyre ≤ 69, lamp 2, engine C,
 * battery < 50) are sticky once drawn. The v2 fields come from a second seeded stream, so a v1
 * and a v2 day of the same seed agree on their first 13 fields.
 *
 * Atomicity: the day is written in ~1 MiB chunks to a hidden file in the working folder and
 * renamed to its final name only when complete, so a spooling directory never sees a partial
 * day. When the working folder is on another filesystem (rename fails with EXDEV) the complete
 * file is copied to a hidden name next to the final one and renamed there. A writer killed
 * mid-day (SIGINT/SIGTERM end the synchronous write at once) leaves its hidden
 * `.<name>.<pid>.writing` file; the next run of that day in the same folder removes it.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SeededRandom } from './random.js';
import { checkDate, dayStamp } from './stamp.js';

export const STATUS_HEADER =
  'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo';
export const STATUS_STEP_SECONDS = 4;
export const STATUS_LINES_PER_CAR = 86_400 / STATUS_STEP_SECONDS + 1;

const TIRE_WEIGHTS = [80, 20, 0.0002] as const;
const BATTERY_WEIGHTS = [90, 10] as const;
const BRAKE_WEIGHTS = [80, 19, 1] as const;
const GRADES = ['A', 'B', 'C'] as const;
/** Per line, the chance that a lamp, the engine or the battery fails for the rest of the day. */
const STICKY_FAILURE = 0.00001;
const CHUNK_CHARS = 1 << 20;

interface CarState {
  readonly number: string;
  readonly tires: number[];
  readonly tireBroken: boolean[];
  readonly lights: number[];
  engineC: boolean;
  batteryLow: boolean;
  /** v2: odometer in tenths of a km (an integer, so rendering needs no float formatting). */
  odometerTenths: number;
  readonly firmware: string;
}

export interface StatusDayOptions {
  /** yyyyMMdd */
  date: string;
  cars: number;
  seed?: number;
  /** 1 (13 fields, default) or 2 (15 fields: + odometer_km, firmware_version). */
  schemaVersion?: 1 | 2;
  /** Final path of the day file. */
  file: string;
  /** Working folder for the in-progress file (default: the folder of `file`, hidden name). */
  workDir?: string;
  onProgress?(linesWritten: number, totalLines: number): void;
}

export function statusFileName(date: string): string {
  return `SmartCarStatusInfo_${date}.txt`;
}

function newCar(rng: SeededRandom, v2: SeededRandom, index: number): CarState {
  const letter = String.fromCharCode(65 + rng.int(0, 25));
  return {
    number: `${letter}${String(index + 1).padStart(4, '0')}`,
    tires: [0, 0, 0, 0],
    tireBroken: [false, false, false, false],
    lights: [1, 1, 1, 1],
    engineC: false,
    batteryLow: false,
    odometerTenths: v2.int(10_000, 1_500_000),
    firmware: `${v2.int(1, 4)}.${v2.int(0, 9)}.${v2.int(0, 20)}`,
  };
}

function tireScore(rng: SeededRandom, car: CarState, i: number): number {
  if (car.tireBroken[i]) return rng.int(0, 69);
  const bucket = rng.weighted(TIRE_WEIGHTS);
  if (bucket === 2) car.tireBroken[i] = true;
  return bucket === 0 ? rng.int(80, 100) : bucket === 1 ? rng.int(70, 79) : rng.int(0, 69);
}

function statusLine(rng: SeededRandom, car: CarState, stamp: string): string {
  const t = car.tires;
  const l = car.lights;
  for (let i = 0; i < 4; i++) t[i] = tireScore(rng, car, i);
  for (let i = 0; i < 4; i++) if (l[i] === 1 && rng.next() < STICKY_FAILURE) l[i] = 2;
  if (!car.engineC && rng.next() < STICKY_FAILURE) car.engineC = true;
  const engine = car.engineC ? 'C' : rng.next() < 0.8 ? 'A' : 'B';
  const brake = GRADES[rng.weighted(BRAKE_WEIGHTS)];
  if (!car.batteryLow && rng.next() < STICKY_FAILURE) car.batteryLow = true;
  const battery = car.batteryLow ? rng.int(0, 49) : rng.weighted(BATTERY_WEIGHTS) === 0 ? rng.int(80, 100) : rng.int(50, 79);
  return `${stamp},${car.number},${t[0]},${t[1]},${t[2]},${t[3]},${l[0]},${l[1]},${l[2]},${l[3]},${engine},${brake},${battery}`;
}

/** The v2 tail: the odometer grows 0 or 0.1 km per 4 s step (0–90 km/h on average 45). */
function v2Fields(v2: SeededRandom, car: CarState): string {
  car.odometerTenths += v2.int(0, 1);
  return `,${Math.floor(car.odometerTenths / 10)}.${car.odometerTenths % 10},${car.firmware}`;
}

/** Writes one status day; returns the number of data lines (cars × 21,601) and header lines. */
export function writeStatusDay(opts: StatusDayOptions): { dataLines: number; headerLines: number } {
  checkDate(opts.date);
  if (!Number.isInteger(opts.cars) || opts.cars < 1) throw new Error(`cars must be a positive integer, got ${opts.cars}`);
  const seed = opts.seed ?? 1;
  const rng = new SeededRandom(seed);
  const v2rng = new SeededRandom(seed ^ 0x5eed_0002);
  const withV2 = opts.schemaVersion === 2;
  const cars = Array.from({ length: opts.cars }, (_, i) => newCar(rng, v2rng, i));
  const workDir = opts.workDir ?? dirname(opts.file);
  mkdirSync(workDir, { recursive: true });
  mkdirSync(dirname(opts.file), { recursive: true });
  removeAbandonedWork(workDir, basename(opts.file));
  const work = join(workDir, `.${basename(opts.file)}.${process.pid}.writing`);
  const fd = openSync(work, 'w');
  const total = opts.cars * STATUS_LINES_PER_CAR;
  let written = 0;
  let chunk = '';
  try {
    for (let step = 0; step < STATUS_LINES_PER_CAR; step++) {
      const stamp = dayStamp(opts.date, step * STATUS_STEP_SECONDS);
      for (const car of cars) {
        // Each car's writer starts with its own header, so headers sit between data lines.
        if (step === 0) chunk += `${STATUS_HEADER}\n`;
        chunk += withV2 ? `${statusLine(rng, car, stamp)}${v2Fields(v2rng, car)}\n` : `${statusLine(rng, car, stamp)}\n`;
      }
      written += cars.length;
      if (chunk.length > CHUNK_CHARS) {
        writeSync(fd, chunk);
        chunk = '';
        opts.onProgress?.(written, total);
      }
    }
    writeSync(fd, chunk);
  } catch (err) {
    closeSync(fd);
    rmSync(work, { force: true });
    throw err;
  }
  closeSync(fd);
  moveInto(work, opts.file);
  opts.onProgress?.(written, total);
  return { dataLines: total, headerLines: opts.cars };
}

/**
 * Removes working files of this day left by writers that no longer run (killed mid-day: the
 * write is synchronous, so a signal ends the process before any cleanup could run). Files of a
 * live process (another writer of the same day) are left alone.
 */
function removeAbandonedWork(workDir: string, name: string): void {
  const prefix = `.${name}.`;
  for (const entry of readdirSync(workDir)) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.writing')) continue;
    const pid = Number(entry.slice(prefix.length, -'.writing'.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(workDir, entry), { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Renames `from` to `to`; across filesystems, copies to a hidden sibling of `to` first. */
function moveInto(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const staging = join(dirname(to), `.${basename(to)}.${process.pid}.copying`);
    copyFileSync(from, staging);
    renameSync(staging, to);
    rmSync(from, { force: true });
  }
}

/**
 * The car status log of the smart-car pilot (see the pilot data notes): one file per simulated
 * day, one header line per car, then one line every 4 simulated seconds per car from 000000 to the
 * quirky `240000` (21,601 data lines per car), cars interleaved, 13 comma-separated fields.
 *
 * Values follow the original simulator's weights; failures (tyre ≤ 69, lamp 2, engine C,
 * battery < 50) are sticky once drawn. Output is written in large chunks to a working file and
 * renamed to its final name only when complete, so a spooling directory never sees a partial day.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SeededRandom } from './random.js';

export const STATUS_HEADER =
  'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo';
export const STATUS_STEP_SECONDS = 4;
export const STATUS_LINES_PER_CAR = 86_400 / STATUS_STEP_SECONDS + 1;

interface CarState {
  number: string;
  tires: number[];
  tireBroken: boolean[];
  lights: number[];
  engineC: boolean;
  batteryLow: boolean;
}

export interface StatusDayOptions {
  /** yyyyMMdd */
  date: string;
  cars: number;
  seed?: number;
  /** Final path of the day file. */
  file: string;
  /** Working folder for the in-progress file (default: next to `file`, hidden name). */
  workDir?: string;
  onProgress?(linesWritten: number, totalLines: number): void;
}

export function statusFileName(date: string): string {
  return `SmartCarStatusInfo_${date}.txt`;
}

function newCar(rng: SeededRandom, index: number): CarState {
  const letter = String.fromCharCode(65 + rng.int(0, 25));
  return {
    number: `${letter}${String(index + 1).padStart(4, '0')}`,
    tires: [0, 0, 0, 0],
    tireBroken: [false, false, false, false],
    lights: [1, 1, 1, 1],
    engineC: false,
    batteryLow: false,
  };
}

function tireScore(rng: SeededRandom, car: CarState, i: number): number {
  if (car.tireBroken[i]) return rng.int(0, 69);
  const bucket = rng.weighted([80, 20, 0.0002]);
  if (bucket === 2) car.tireBroken[i] = true;
  return bucket === 0 ? rng.int(80, 100) : bucket === 1 ? rng.int(70, 79) : rng.int(0, 69);
}

function statusLine(rng: SeededRandom, car: CarState, stamp: string): string {
  for (let i = 0; i < 4; i++) car.tires[i] = tireScore(rng, car, i);
  for (let i = 0; i < 4; i++) if (car.lights[i] === 1 && rng.next() < 0.00001) car.lights[i] = 2;
  if (!car.engineC && rng.next() < 0.00001) car.engineC = true;
  const engine = car.engineC ? 'C' : rng.next() < 0.8 ? 'A' : 'B';
  const brake = ['A', 'B', 'C'][rng.weighted([80, 19, 1])];
  if (!car.batteryLow && rng.next() < 0.00001) car.batteryLow = true;
  const battery = car.batteryLow ? rng.int(0, 49) : rng.weighted([90, 10]) === 0 ? rng.int(80, 100) : rng.int(50, 79);
  const t = car.tires;
  const l = car.lights;
  return `${stamp},${car.number},${t[0]},${t[1]},${t[2]},${t[3]},${l[0]},${l[1]},${l[2]},${l[3]},${engine},${brake},${battery}\n`;
}

function stampAt(date: string, second: number): string {
  // The original renders the final instant of the day as hour 24, not the next day's 00.
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  const s = second % 60;
  return `${date}${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}${String(s).padStart(2, '0')}`;
}

/** Writes one status day; returns the number of data lines (cars × 21,601). */
export function writeStatusDay(opts: StatusDayOptions): { dataLines: number; headerLines: number } {
  if (!/^\d{8}$/.test(opts.date)) throw new Error(`date must be yyyyMMdd, got "${opts.date}"`);
  const rng = new SeededRandom(opts.seed ?? 1);
  const cars = Array.from({ length: opts.cars }, (_, i) => newCar(rng, i));
  const workDir = opts.workDir ?? dirname(opts.file);
  mkdirSync(workDir, { recursive: true });
  mkdirSync(dirname(opts.file), { recursive: true });
  const work = join(workDir, `.${statusFileName(opts.date)}.${process.pid}.writing`);
  const fd = openSync(work, 'w');
  const total = opts.cars * STATUS_LINES_PER_CAR;
  let written = 0;
  let chunk = '';
  try {
    for (let step = 0; step < STATUS_LINES_PER_CAR; step++) {
      const stamp = stampAt(opts.date, step * STATUS_STEP_SECONDS);
      for (const car of cars) {
        // Each car's writer starts with its own header, so headers sit between data lines.
        if (step === 0) chunk += `${STATUS_HEADER}\n`;
        chunk += statusLine(rng, car, stamp);
      }
      written += cars.length;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
        opts.onProgress?.(written, total);
      }
    }
    writeSync(fd, chunk);
    opts.onProgress?.(written, total);
  } finally {
    closeSync(fd);
  }
  renameSync(work, opts.file);
  return { dataLines: total, headerLines: opts.cars };
}

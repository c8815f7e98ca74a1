/**
 * The driving log of the smart-car pilot (shared/reference smartcar-data §2): one line per car
 * per step, the simulated clock advancing 2 s a step (even seconds, rolling over midnight), 8
 * comma-separated fields (10 with `schemaVersion: 2`: + gps_lat, gps_lon with 6 decimals).
 *
 * Model: about 10 % of the cars are "wild" (heavier accelerator and steering, turn signal not
 * following the wheel); each car keeps a home area letter A–F and wanders between its numbers
 * 01–10 (rarely into another letter); a few areas are congested, where the reported speed is cut
 * to 30 % of the car's speed. Speed is carried over between lines and stays in 0–250; the brake is
 * only pressed when the accelerator is 0. The first step writes one header line per car first.
 *
 * Garbage (`garbageRate` R): after each data line, with probability R, one broken line: a
 * truncated data line (at most 6 fields, so no schema version accepts it), a line with a
 * non-numeric field, or a line that is not CSV at all. All randomness is seeded: the same seed and
 * step count give the same bytes.
 */
import { SeededRandom } from './random.js';
import { clockStamp, dayStartMs } from './stamp.js';

export const DRIVING_HEADER = 'Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum';
export const DRIVING_STEP_SECONDS = 2;
export const DRIVING_FILE_NAME = 'SmartCarDriverInfo.log';

const AREA_LETTERS = 'ABCDEF';
const STEER = ['F', 'L1', 'L2', 'L3', 'R1', 'R2', 'R3'] as const;
const STEER_LIGHT = ['N', 'L', 'L', 'L', 'R', 'R', 'R'] as const;
const LIGHTS = ['N', 'L', 'R'] as const;
/** Accelerator 0–5, brake 0–3, steering F/L1–3/R1–3: relative weights per driver kind. */
const NORMAL = { accel: [30, 30, 20, 12, 6, 2], brake: [40, 35, 20, 5], steer: [70, 8, 4, 1, 12, 4, 1], lights: [80, 10, 10] };
const WILD = { accel: [8, 10, 14, 20, 24, 24], brake: [10, 20, 30, 40], steer: [30, 8, 10, 12, 18, 10, 12], lights: [60, 20, 20] };
/** Speed change per step: +3 km/h per accelerator step (wild: +5), −8 per brake step, −2 coasting. */
const ACCEL_KMH = 3;
const WILD_ACCEL_KMH = 5;
const BRAKE_KMH = 8;
const COAST_KMH = 2;
const MAX_SPEED = 250;
const CONGESTED_SHARE = 0.3;
/** Areas congested all day (per run): 6 of the 60. */
const CONGESTED_AREAS = 6;

export interface DrivingCar {
  readonly number: string;
  readonly wild: boolean;
  readonly home: string;
  area: string;
  speed: number;
  /** v2 position, micro-degrees. */
  latMicro: number;
  lonMicro: number;
}

export interface DrivingOptions {
  /** yyyyMMdd: the simulated clock starts at its midnight. */
  date: string;
  cars: number;
  seed?: number;
  schemaVersion?: 1 | 2;
  /** Probability of a garbage line after each data line (0–1, default 0). */
  garbageRate?: number;
}

export interface DrivingStep {
  /** The lines of this step, each ending in a newline. */
  readonly text: string;
  readonly dataLines: number;
  readonly headerLines: number;
  readonly garbageLines: number;
}

function area(letter: string, n: number): string {
  return `${letter}${n < 10 ? `0${n}` : n}`;
}

function micro(v: number): string {
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  return `${sign}${Math.floor(a / 1e6)}.${String(a % 1e6).padStart(6, '0')}`;
}

export class DrivingSimulator {
  readonly cars: readonly DrivingCar[];
  readonly congested: ReadonlySet<string>;
  private readonly rng: SeededRandom;
  private readonly garbageRng: SeededRandom;
  private readonly gpsRng: SeededRandom;
  private readonly v2: boolean;
  private readonly garbageRate: number;
  private readonly startMs: number;
  private stepIndex = 0;

  constructor(opts: DrivingOptions) {
    if (!Number.isInteger(opts.cars) || opts.cars < 1) throw new Error(`cars must be a positive integer, got ${opts.cars}`);
    const rate = opts.garbageRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new Error(`garbage rate must be between 0 and 1, got ${rate}`);
    this.startMs = dayStartMs(opts.date);
    const seed = opts.seed ?? 1;
    this.rng = new SeededRandom(seed);
    // Garbage has its own stream, so the data lines are the same at any garbage rate.
    this.garbageRng = new SeededRandom(seed ^ 0x6a7b_a6e0);
    // So does the v2 position: a v1 and a v2 run of one seed agree on the first 8 fields.
    this.gpsRng = new SeededRandom(seed ^ 0x5eed_0002);
    this.v2 = opts.schemaVersion === 2;
    this.garbageRate = rate;
    const congested = new Set<string>();
    while (congested.size < CONGESTED_AREAS) congested.add(area(this.rng.pick([...AREA_LETTERS]), this.rng.int(1, 10)));
    this.congested = congested;
    this.cars = Array.from({ length: opts.cars }, (_, i) => this.newCar(i));
  }

  private newCar(index: number): DrivingCar {
    const rng = this.rng;
    const letter = String.fromCharCode(65 + rng.int(0, 25));
    const home = AREA_LETTERS[rng.int(0, 5)] as string;
    return {
      number: `${letter}${String(index + 1).padStart(4, '0')}`,
      wild: rng.next() < 0.1,
      home,
      area: area(home, rng.int(1, 10)),
      speed: 0,
      latMicro: 37_400_000 + this.gpsRng.int(0, 200_000),
      lonMicro: 126_900_000 + this.gpsRng.int(0, 200_000),
    };
  }

  /** One step: a line per car (after the headers on the first step), garbage mixed in. */
  step(): DrivingStep {
    const stamp = clockStamp(this.startMs + this.stepIndex * DRIVING_STEP_SECONDS * 1000);
    let text = '';
    let headerLines = 0;
    if (this.stepIndex === 0) {
      for (let i = 0; i < this.cars.length; i++) text += `${DRIVING_HEADER}\n`;
      headerLines = this.cars.length;
    }
    let garbageLines = 0;
    for (const car of this.cars) {
      const line = this.line(car, stamp);
      text += `${line}\n`;
      if (this.garbageRate > 0 && this.garbageRng.next() < this.garbageRate) {
        text += `${this.garbage(line)}\n`;
        garbageLines++;
      }
    }
    this.stepIndex++;
    return { text, dataLines: this.cars.length, headerLines, garbageLines };
  }

  private line(car: DrivingCar, stamp: string): string {
    const rng = this.rng;
    const w = car.wild ? WILD : NORMAL;
    const accel = rng.weighted(w.accel);
    const brake = accel === 0 ? rng.weighted(w.brake) : 0;
    const steer = rng.weighted(w.steer);
    // Normal drivers signal the way they turn; wild ones signal at random.
    const light = car.wild ? LIGHTS[rng.weighted(w.lights)] : STEER_LIGHT[steer];
    const delta = accel > 0 ? accel * (car.wild ? WILD_ACCEL_KMH : ACCEL_KMH) : brake > 0 ? -brake * BRAKE_KMH : -COAST_KMH;
    car.speed = Math.min(MAX_SPEED, Math.max(0, car.speed + delta));
    this.move(car);
    const shown = this.congested.has(car.area) ? Math.floor(car.speed * CONGESTED_SHARE) : car.speed;
    const base = `${stamp},${car.number},${accel},${brake},${STEER[steer]},${light},${shown},${car.area}`;
    if (!this.v2) return base;
    return `${base},${micro(car.latMicro)},${micro(car.lonMicro)}`;
  }

  /** Areas change rarely: 2 % of steps to a neighbouring number, 0.2 % to another letter. */
  private move(car: DrivingCar): void {
    const rng = this.rng;
    const r = rng.next();
    if (r < 0.002) {
      car.area = area(AREA_LETTERS[rng.int(0, 5)] as string, rng.int(1, 10));
    } else if (r < 0.022) {
      const n = Number(car.area.slice(1)) + (rng.next() < 0.5 ? -1 : 1);
      car.area = area(car.area[0] as string, n < 1 ? 2 : n > 10 ? 9 : n);
    } else if (r > 0.995) {
      car.area = area(car.home, rng.int(1, 10));
    }
    // ~1 m per km/h per step, in a random direction, roughly.
    if (this.v2 && car.speed > 0) {
      car.latMicro += this.gpsRng.int(-car.speed, car.speed) * 5;
      car.lonMicro += this.gpsRng.int(-car.speed, car.speed) * 5;
    }
  }

  private garbage(line: string): string {
    const g = this.garbageRng;
    const kind = g.int(0, 2);
    if (kind === 0) {
      // Cut inside the first six fields: fewer fields than any schema version has.
      let sixthComma = line.length;
      for (let i = 0, commas = 0; i < line.length; i++) {
        if (line.charCodeAt(i) === 44 && ++commas === 6) {
          sixthComma = i;
          break;
        }
      }
      return line.slice(0, g.int(1, sixthComma));
    }
    if (kind === 1) return line.replace(/^(\d{14},\w+),\d,/, '$1,x,');
    return `#@! garbage ${g.int(0, 999_999)} not;a;csv;line`;
  }
}

/**
 * The driving log against the pilot data reference (§2): header per car, 2 s simulated step with
 * even seconds, one line per car per step, value domains, ~10 % wild drivers, home areas,
 * congestion, garbage rate, v2 GPS fields, and the real-time writer (determinism, stop).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVING_HEADER, DrivingSimulator } from '../../src/simulator/driving.js';
import { runDrivingSimulator } from '../../src/simulator/driving-writer.js';
import { tempDir } from '../support/wait.js';

const LINE = /^(\d{14}),([A-Z]\d{4}),([0-5]),([0-3]),(F|L[1-3]|R[1-3]),([NLR]),(\d{1,3}),([A-F](?:0[1-9]|10))$/;

function run(sim: DrivingSimulator, steps: number): string[] {
  let text = '';
  for (let i = 0; i < steps; i++) text += sim.step().text;
  return text.split('\n').slice(0, -1);
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('rxflume-sim-driving-'));
});
afterAll(() => cleanup());

describe('driving simulator', () => {
  const CARS = 300;
  const STEPS = 200;
  const sim = new DrivingSimulator({ date: '20190101', cars: CARS, seed: 5 });
  const lines = run(sim, STEPS);

  it('writes a header per car first, then one line per car per 2 s step with even seconds', () => {
    expect(lines.slice(0, CARS).every((l) => l === DRIVING_HEADER)).toBe(true);
    const data = lines.slice(CARS);
    expect(data).toHaveLength(CARS * STEPS);
    expect(lines.filter((l) => l === DRIVING_HEADER)).toHaveLength(CARS);
    const bad: string[] = [];
    for (let step = 0; step < STEPS; step++) {
      const group = data.slice(step * CARS, (step + 1) * CARS).map((l) => LINE.exec(l));
      const second = step * 2;
      const want = `20190101${String(Math.floor(second / 3600)).padStart(2, '0')}${String(Math.floor((second % 3600) / 60)).padStart(2, '0')}${String(second % 60).padStart(2, '0')}`;
      if (group.some((m) => m === null || m[1] !== want)) bad.push(`step ${step}`);
      if (new Set(group.map((m) => m?.[2])).size !== CARS) bad.push(`step ${step}: a car is missing or doubled`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(data.at(-1)).toMatch(/^20190101000638,/);
  });

  it('keeps the pedal, signal and speed rules', () => {
    const bad: string[] = [];
    const wild = new Set(sim.cars.filter((c) => c.wild).map((c) => c.number));
    for (const line of lines.slice(CARS)) {
      const m = LINE.exec(line) as RegExpExecArray;
      const [, , car, accel, brake, steer, light, speed, area] = m;
      if (accel !== '0' && brake !== '0') bad.push(`brake with accelerator: ${line}`);
      if (Number(speed) > 250) bad.push(`speed: ${line}`);
      if (!wild.has(car as string) && light !== (steer === 'F' ? 'N' : (steer as string)[0])) bad.push(`signal: ${line}`);
      if (sim.congested.has(area as string) && Number(speed) > 75) bad.push(`congestion: ${line}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('makes about 10 % of the cars wild, and they drive harder', () => {
    const wild = sim.cars.filter((c) => c.wild);
    expect(wild.length / CARS).toBeGreaterThan(0.06);
    expect(wild.length / CARS).toBeLessThan(0.14);
    const meanAccel = (cars: Set<string>) => {
      let sum = 0;
      let n = 0;
      for (const l of lines.slice(CARS)) {
        const f = l.split(',');
        if (cars.has(f[1] as string)) {
          sum += Number(f[2]);
          n++;
        }
      }
      return sum / n;
    };
    const wildSet = new Set(wild.map((c) => c.number));
    const normalSet = new Set(sim.cars.filter((c) => !c.wild).map((c) => c.number));
    expect(meanAccel(wildSet)).toBeGreaterThan(meanAccel(normalSet) + 1);
  });

  it('keeps cars mostly in their home area letter, carries speed, and slows them in congestion', () => {
    const data = lines.slice(CARS).map((l) => l.split(','));
    const home = new Map(sim.cars.map((c) => [c.number, c.home]));
    const atHome = data.filter((f) => (f[7] as string)[0] === home.get(f[1] as string)).length;
    expect(atHome / data.length).toBeGreaterThan(0.8);
    // Speed is carried: a car's next speed differs by at most one step's change (25 km/h), outside congestion.
    const last = new Map<string, number>();
    let jumps = 0;
    let nonZero = 0;
    for (const f of data) {
      const car = f[1] as string;
      const speed = Number(f[6]);
      if (speed > 0) nonZero++;
      const prev = last.get(car);
      if (prev !== undefined && !sim.congested.has(f[7] as string) && Math.abs(speed - prev) > 25) jumps++;
      last.set(car, sim.congested.has(f[7] as string) ? Number.NaN : speed);
    }
    expect(jumps).toBe(0);
    expect(nonZero / data.length).toBeGreaterThan(0.5);
    expect(sim.congested.size).toBe(6);
    expect(data.some((f) => sim.congested.has(f[7] as string))).toBe(true);
  });

  it('injects garbage at the given rate, lines no schema accepts, without changing the data lines', () => {
    const garbled = run(new DrivingSimulator({ date: '20190101', cars: CARS, seed: 5, garbageRate: 0.05 }), STEPS);
    const data = garbled.filter((l) => LINE.test(l));
    const header = garbled.filter((l) => l === DRIVING_HEADER);
    const garbage = garbled.filter((l) => !LINE.test(l) && l !== DRIVING_HEADER);
    expect(data).toEqual(lines.slice(CARS));
    expect(header).toHaveLength(CARS);
    const rate = garbage.length / data.length;
    expect(rate).toBeGreaterThan(0.04);
    expect(rate).toBeLessThan(0.06);
    // Each kind appears: truncated (≤ 6 fields), a non-numeric field, not CSV at all.
    expect(garbage.some((l) => l.split(',').length <= 6 && /^\d/.test(l))).toBe(true);
    expect(garbage.some((l) => /^\d{14},[A-Z]\d{4},x,/.test(l))).toBe(true);
    expect(garbage.some((l) => !l.includes(','))).toBe(true);
    expect(garbage.every((l) => l.split(',').length < 8 || /,x,/.test(l))).toBe(true);
  });

  it('v2 adds gps_lat and gps_lon with 6 decimals around 37.5 / 127.0, the first 8 fields unchanged', () => {
    const v2 = run(new DrivingSimulator({ date: '20190101', cars: 20, seed: 5, schemaVersion: 2 }), 50).slice(20);
    const v1 = run(new DrivingSimulator({ date: '20190101', cars: 20, seed: 5 }), 50).slice(20);
    expect(v2).toHaveLength(v1.length);
    const bad = v2.filter((l, i) => {
      const f = l.split(',');
      const lat = Number(f[8]);
      const lon = Number(f[9]);
      return (
        f.length !== 10 ||
        f.slice(0, 8).join(',') !== v1[i] ||
        !/^\d+\.\d{6}$/.test(f[8] as string) ||
        !/^\d+\.\d{6}$/.test(f[9] as string) ||
        Math.abs(lat - 37.5) > 1 ||
        Math.abs(lon - 127) > 1
      );
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('rolls the clock over midnight and rejects bad options', () => {
    const late = new DrivingSimulator({ date: '20191231', cars: 1, seed: 1 });
    for (let i = 0; i < 43_200; i++) late.step();
    expect(late.step().text).toMatch(/^20200101000000,/);
    expect(() => new DrivingSimulator({ date: '2019-01-01', cars: 1 })).toThrow('date must be yyyyMMdd, got "2019-01-01"');
    expect(() => new DrivingSimulator({ date: '20190101', cars: 0 })).toThrow('cars must be a positive integer');
    expect(() => new DrivingSimulator({ date: '20190101', cars: 1, garbageRate: 2 })).toThrow('garbage rate must be between 0 and 1');
  });
});

describe('driving writer', () => {
  it('appends the same bytes for the same seed and steps, a complete line last', async () => {
    const a = join(dir, 'a', 'SmartCarDriverInfo.log');
    const b = join(dir, 'b', 'SmartCarDriverInfo.log');
    const opts = { date: '20190101', cars: 50, seed: 9, steps: 40, rateMs: 0, garbageRate: 0.02 };
    const totals = await runDrivingSimulator({ ...opts, file: a });
    await runDrivingSimulator({ ...opts, file: b });
    expect(totals.steps).toBe(40);
    expect(totals.dataLines).toBe(2000);
    expect(totals.headerLines).toBe(50);
    const text = readFileSync(a, 'utf8');
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').length - 1).toBe(2000 + 50 + totals.garbageLines);
  });

  it('stops at the duration or on abort, leaving whole lines', async () => {
    const file = join(dir, 'timed.log');
    const timed = await runDrivingSimulator({ date: '20190101', cars: 3, file, rateMs: 20, durationMs: 300 });
    expect(timed.steps).toBeGreaterThan(0);
    const stop = new AbortController();
    const running = runDrivingSimulator({
      date: '20190101',
      cars: 3,
      file,
      rateMs: 10,
      signal: stop.signal,
      onStep: (t) => t.steps >= 5 && stop.abort(),
    });
    const aborted = await running;
    expect(aborted.steps).toBe(5);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).every((l) => l === DRIVING_HEADER || LINE.test(l))).toBe(true);
    expect(lines.length - 1).toBe(3 * (timed.steps + aborted.steps) + 6);
  });
});

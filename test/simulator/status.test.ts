/**
 * The status day against the pilot data reference (§1): layout, header per car, 4 s step, the
 * `240000` last line, value domains and weights, sticky failures, v2 fields, determinism, and the
 * 100-car acceptance count (2,160,100 data lines).
 */
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_HEADER, STATUS_LINES_PER_CAR, statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { tempDir } from '../support/wait.js';

const CARS = 6;
const DATE = '20160101';

let dir: string;
let cleanup: () => Promise<void>;
let lines: string[];
let progress: Array<[number, number]>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('rxflume-sim-status-'));
  progress = [];
  const file = join(dir, 'spool', statusFileName(DATE));
  writeStatusDay({ date: DATE, cars: CARS, seed: 11, file, workDir: join(dir, 'work'), onProgress: (d, t) => progress.push([d, t]) });
  lines = readFileSync(file, 'utf8').split('\n');
});
afterAll(() => cleanup());

function dataOf(all: readonly string[]): string[][] {
  return all.filter((l) => l !== '' && l !== STATUS_HEADER).map((l) => l.split(','));
}

describe('status day', () => {
  it('has one header per car, cars × 21,601 data lines, interleaved, ending in a newline', () => {
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(0, -1);
    expect(body.filter((l) => l === STATUS_HEADER)).toHaveLength(CARS);
    expect(body).toHaveLength(CARS * STATUS_LINES_PER_CAR + CARS);
    expect(body[0]).toBe(STATUS_HEADER);
    // Step 0 is header, line, header, line, …: every car's writer starts with its header.
    for (let i = 0; i < CARS; i++) {
      expect(body[2 * i]).toBe(STATUS_HEADER);
      expect(body[2 * i + 1]).toMatch(/^20160101000000,/);
    }
    // After the first step, each step has every car once, in the same order.
    const cars = body
      .slice(0, 2 * CARS)
      .filter((l) => l !== STATUS_HEADER)
      .map((l) => l.split(',')[1]);
    expect(new Set(cars).size).toBe(CARS);
    const rest = body.slice(2 * CARS);
    const outOfTurn = rest.filter((l, i) => l.split(',')[1] !== cars[i % CARS]);
    expect(outOfTurn.slice(0, 5)).toEqual([]);
  });

  it('advances 4 s a line per car, from 000000 to the quirky 240000', () => {
    const byCar = new Map<string, string[]>();
    for (const f of dataOf(lines)) {
      const list = byCar.get(f[1] as string) ?? [];
      list.push(f[0] as string);
      byCar.set(f[1] as string, list);
    }
    expect(byCar.size).toBe(CARS);
    for (const stamps of byCar.values()) {
      expect(stamps).toHaveLength(STATUS_LINES_PER_CAR);
      expect(stamps[0]).toBe('20160101000000');
      expect(stamps[1]).toBe('20160101000004');
      expect(stamps[899]).toBe('20160101005956');
      expect(stamps[900]).toBe('20160101010000');
      expect(stamps.at(-2)).toBe('20160101235956');
      expect(stamps.at(-1)).toBe('20160101240000');
    }
    expect(lines.at(-2)).toMatch(/^20160101240000,[A-Z]0006,/);
  });

  it('keeps every field in its domain, with the reference weights', () => {
    const data = dataOf(lines);
    const bad: string[] = [];
    const int = (v: string | undefined, min: number, max: number) => /^\d+$/.test(v ?? '') && Number(v) >= min && Number(v) <= max;
    const tires: [number, number, number] = [0, 0, 0];
    const battery: [number, number] = [0, 0];
    const engines = new Set<string>();
    for (const f of data) {
      const ok =
        f.length === 13 &&
        /^\d{14}$/.test(f[0] as string) &&
        /^[A-Z]000[1-6]$/.test(f[1] as string) &&
        [2, 3, 4, 5].every((i) => int(f[i], 0, 100)) &&
        [6, 7, 8, 9].every((i) => f[i] === '1' || f[i] === '2') &&
        /^[ABC]$/.test(f[10] as string) &&
        /^[ABC]$/.test(f[11] as string) &&
        int(f[12], 0, 100);
      if (!ok) bad.push(f.join(','));
      for (let i = 2; i < 6; i++) {
        const t = Number(f[i]);
        tires[t >= 80 ? 0 : t >= 70 ? 1 : 2]++;
      }
      const b = Number(f[12]);
      // Below 50 is a failed battery (sticky, rare); the weights apply to the healthy ones.
      if (b >= 50) battery[b >= 80 ? 0 : 1]++;
      engines.add(f[10] as string);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // Tyres ≤ 69 are failures (sticky, rare); the 80/20 weights apply to the healthy ones.
    const tireHigh = tires[0] / (tires[0] + tires[1]);
    expect(tireHigh).toBeGreaterThan(0.77);
    expect(tireHigh).toBeLessThan(0.83);
    const batteryHigh = battery[0] / (battery[0] + battery[1]);
    expect(batteryHigh).toBeGreaterThan(0.87);
    expect(batteryHigh).toBeLessThan(0.93);
    expect(engines.has('A') && engines.has('B')).toBe(true);
  });

  it('keeps failures once drawn (lamp 2, engine C, battery < 50, tyre ≤ 69)', () => {
    const seen = new Map<string, { lamp: boolean[]; engineC: boolean; batteryLow: boolean; tireLow: boolean[] }>();
    let failures = 0;
    const broken: string[] = [];
    for (const f of dataOf(lines)) {
      const car = f[1] as string;
      const s = seen.get(car) ?? {
        lamp: [false, false, false, false],
        engineC: false,
        batteryLow: false,
        tireLow: [false, false, false, false],
      };
      for (let i = 0; i < 4; i++) {
        if (s.lamp[i] && f[6 + i] !== '2') broken.push(`${car} lamp ${i} recovered: ${f.join(',')}`);
        if (s.tireLow[i] && Number(f[2 + i]) > 69) broken.push(`${car} tyre ${i} recovered: ${f.join(',')}`);
        if (f[6 + i] === '2' && !s.lamp[i]) failures++;
        s.lamp[i] = f[6 + i] === '2';
        s.tireLow[i] = s.tireLow[i] || Number(f[2 + i]) <= 69;
      }
      if (s.engineC && f[10] !== 'C') broken.push(`${car} engine recovered: ${f.join(',')}`);
      if (s.batteryLow && Number(f[12]) >= 50) broken.push(`${car} battery recovered: ${f.join(',')}`);
      s.engineC = f[10] === 'C';
      s.batteryLow = Number(f[12]) < 50;
      seen.set(car, s);
    }
    expect(broken.slice(0, 5)).toEqual([]);
    // With this seed some lamp fails during the day (≈ 5 expected), so stickiness was exercised.
    expect(failures).toBeGreaterThan(0);
  });

  it('reports progress up to the total and leaves nothing in the working folder', () => {
    expect(progress.at(-1)).toEqual([CARS * STATUS_LINES_PER_CAR, CARS * STATUS_LINES_PER_CAR]);
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  });

  it('writes the same bytes for the same seed, other bytes for another seed', () => {
    const again = join(dir, 'again.txt');
    const other = join(dir, 'other.txt');
    writeStatusDay({ date: DATE, cars: CARS, seed: 11, file: again });
    writeStatusDay({ date: DATE, cars: CARS, seed: 12, file: other });
    const first = readFileSync(join(dir, 'spool', statusFileName(DATE)));
    expect(readFileSync(again).equals(first)).toBe(true);
    expect(readFileSync(other).equals(first)).toBe(false);
  });

  it('v2 adds odometer_km (one decimal, growing per car) and firmware_version, the first 13 fields unchanged', () => {
    const file = join(dir, 'v2.txt');
    writeStatusDay({ date: DATE, cars: CARS, seed: 11, file, schemaVersion: 2 });
    const v2 = readFileSync(file, 'utf8').split('\n');
    expect(v2).toHaveLength(lines.length);
    const odometer = new Map<string, number>();
    const firmware = new Map<string, string>();
    const bad: string[] = [];
    for (let i = 0; i < v2.length; i++) {
      const line = v2[i] as string;
      if (line === '' || line === STATUS_HEADER) {
        if (line !== lines[i]) bad.push(`line ${i}: ${line}`);
        continue;
      }
      const f = line.split(',');
      const car = f[1] as string;
      const km = Number(f[13]);
      const ok =
        f.length === 15 &&
        f.slice(0, 13).join(',') === lines[i] &&
        /^\d+\.\d$/.test(f[13] as string) &&
        /^\d+\.\d+\.\d+$/.test(f[14] as string) &&
        km >= (odometer.get(car) ?? 0) &&
        (firmware.get(car) ?? f[14]) === f[14];
      if (!ok) bad.push(`line ${i}: ${line}`);
      odometer.set(car, km);
      firmware.set(car, f[14] as string);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // The odometer grows over the day (about 1,000 km at 0–0.1 km per 4 s).
    expect(odometer.size).toBe(CARS);
  });

  it('rejects a bad date and a bad car count with clear messages', () => {
    expect(() => writeStatusDay({ date: '2016-01-01', cars: 1, file: join(dir, 'x.txt') })).toThrow(
      'date must be yyyyMMdd, got "2016-01-01"',
    );
    expect(() => writeStatusDay({ date: '20160231', cars: 1, file: join(dir, 'x.txt') })).toThrow(
      '20160231 is not a calendar day (expected yyyyMMdd)',
    );
    expect(() => writeStatusDay({ date: DATE, cars: 0, file: join(dir, 'x.txt') })).toThrow('cars must be a positive integer, got 0');
  });

  it('writes 2,160,100 data lines for 100 cars (the acceptance count)', { timeout: 300_000 }, async () => {
    const file = join(dir, 'hundred.txt');
    const { dataLines, headerLines } = writeStatusDay({ date: DATE, cars: 100, seed: 3, file });
    expect(dataLines).toBe(2_160_100);
    expect(headerLines).toBe(100);
    let data = 0;
    let headers = 0;
    for await (const line of createInterface({ input: createReadStream(file) })) {
      if (line === STATUS_HEADER) headers++;
      else data++;
    }
    expect(data).toBe(2_160_100);
    expect(headers).toBe(100);
  });
});

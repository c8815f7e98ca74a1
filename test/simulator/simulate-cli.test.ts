/**
 * `rxflume simulate` through the built CLI: the status day appears in the spool folder only
 * complete (watched while it is written), progress lines on a non-terminal stderr, v2 layout,
 * the driving log's step count and determinism, a clean stop on SIGTERM, and clear bad-option
 * errors.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRIVING_HEADER } from '../../src/simulator/driving.js';
import { STATUS_HEADER, STATUS_LINES_PER_CAR } from '../../src/simulator/status.js';
import { killAll, runCli, startCli } from '../support/cli.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('rxflume-sim-cli-'));
});
afterEach(() => killAll());
afterAll(() => cleanup());

describe('rxflume simulate status', () => {
  it('moves the day into the spool folder only when complete, reporting progress', { timeout: 180_000 }, async () => {
    const spool = join(dir, 'spool');
    const work = join(dir, 'work');
    const file = join(spool, 'SmartCarStatusInfo_20160102.txt');
    const p = startCli(['simulate', 'status', '--date', '20160102', '--cars', '30', '--out', work, '--spool', spool]);
    const seenSizes: number[] = [];
    let exited = false;
    void p.exit.then(() => {
      exited = true;
    });
    while (!exited) {
      if (existsSync(file)) seenSizes.push(statSync(file).size);
      await sleep(5);
    }
    expect((await p.exit).code, p.stderr()).toBe(0);
    const size = statSync(file).size;
    expect(seenSizes.every((s) => s === size)).toBe(true);
    expect(readdirSync(work)).toEqual([]);
    expect(readdirSync(spool)).toEqual(['SmartCarStatusInfo_20160102.txt']);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(30 * STATUS_LINES_PER_CAR + 30);
    expect(p.stdout()).toBe(`${file}: ${30 * STATUS_LINES_PER_CAR} data lines + 30 header lines\n`);
    // Not a terminal: a plain line per 10 %, ending at 100 %.
    const progress = p.stderr().trimEnd().split('\n');
    expect(progress.at(-1)).toBe('status 20160102: 100% (648,030 of 648,030 lines)');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((l) => /^status 20160102: \d+0?% \([\d,]+ of 648,030 lines\)$/.test(l))).toBe(true);
  });

  it('a day killed while written leaves its working file only until the next run of that day', { timeout: 180_000 }, async () => {
    const work = join(dir, 'killed-work');
    const spool = join(dir, 'killed-spool');
    const args = ['simulate', 'status', '--date', '20160104', '--out', work, '--spool', spool, '--quiet'];
    const p = startCli([...args, '--cars', '200']);
    await waitFor(() => existsSync(work) && readdirSync(work).some((n) => n.endsWith('.writing')), {
      timeoutMs: 60_000,
      what: 'the working file',
    });
    p.child.kill('SIGTERM');
    await p.exit;
    expect(existsSync(join(spool, 'SmartCarStatusInfo_20160104.txt'))).toBe(false);
    const again = await runCli([...args, '--cars', '1']);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(work)).toEqual([]);
    expect(readdirSync(spool)).toEqual(['SmartCarStatusInfo_20160104.txt']);
  });

  it('writes the v2 layout and stays quiet with --quiet; the day stays in --out without --spool', { timeout: 120_000 }, async () => {
    const out = join(dir, 'v2');
    const r = await runCli(['simulate', 'status', '--date', '20160103', '--cars', '1', '--out', out, '--schema-version', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = readFileSync(join(out, 'SmartCarStatusInfo_20160103.txt'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(STATUS_HEADER);
    expect(lines.slice(1).every((l) => l.split(',').length === 15)).toBe(true);
    expect(readdirSync(out)).toEqual(['SmartCarStatusInfo_20160103.txt']);
  });
});

describe('rxflume simulate driving', () => {
  it('writes a header per car and --steps lines per car; the same seed gives the same bytes', { timeout: 60_000 }, async () => {
    const a = join(dir, 'drive-a', 'SmartCarDriverInfo.log');
    const b = join(dir, 'drive-b', 'SmartCarDriverInfo.log');
    const args = [
      'simulate',
      'driving',
      '--date',
      '20190101',
      '--cars',
      '4',
      '--steps',
      '25',
      '--rate-ms',
      '0',
      '--seed',
      '7',
      '--garbage-rate',
      '0.1',
    ];
    const r = await runCli([...args, '--file', a]);
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli([...args, '--file', b])).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const m = /: 25 steps, 100 data lines \+ 4 header lines \+ (\d+) garbage lines\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const lines = readFileSync(a, 'utf8').trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([DRIVING_HEADER, DRIVING_HEADER, DRIVING_HEADER, DRIVING_HEADER]);
    expect(lines).toHaveLength(4 + 100 + Number(m?.[1]));
    const v2 = join(dir, 'drive-v2.log');
    expect(
      (
        await runCli([
          'simulate',
          'driving',
          '--date',
          '20190101',
          '--cars',
          '2',
          '--steps',
          '3',
          '--rate-ms',
          '0',
          '--schema-version',
          '2',
          '--file',
          v2,
        ])
      ).code,
    ).toBe(0);
    expect(
      readFileSync(v2, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(2)
        .every((l) => l.split(',').length === 10),
    ).toBe(true);
  });

  it('runs until SIGTERM, then flushes whole lines and exits 0', { timeout: 60_000 }, async () => {
    const file = join(dir, 'live', 'SmartCarDriverInfo.log');
    const p = startCli(['simulate', 'driving', '--date', '20190101', '--cars', '3', '--rate-ms', '20', '--file', file]);
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length > 20, {
      timeoutMs: 30_000,
      what: 'driving lines',
    });
    p.child.kill('SIGTERM');
    expect((await p.exit).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect((lines.length - 3) % 3).toBe(0);
    expect(lines.slice(3).every((l) => /^\d{14},[A-Z]\d{4},[0-5],[0-3],(F|L[1-3]|R[1-3]),[NLR],\d{1,3},[A-F](0[1-9]|10)$/.test(l))).toBe(
      true,
    );
    expect(p.stdout()).toMatch(/: \d+ steps, \d+ data lines \+ 3 header lines \+ 0 garbage lines\n$/);
  });

  it('names a bad option value', { timeout: 60_000 }, async () => {
    const r = await runCli(['simulate', 'driving', '--date', '20190101', '--file', join(dir, 'x.log'), '--garbage-rate', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--garbage-rate must be a number in 0–1, got "2"');
    const cars = await runCli(['simulate', 'status', '--date', '20190101', '--cars', '0']);
    expect(cars.code).toBe(1);
    expect(cars.stderr).toContain('--cars must be an integer ≥ 1, got "0"');
    const negative = await runCli(['simulate', 'driving', '--date', '20190101', '--file', join(dir, 'x.log'), '--cars', '-5']);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('--cars must be an integer ≥ 1, got "-5"');
    // A well-formed date that is no calendar day is named as such, with the option.
    const day = await runCli(['simulate', 'status', '--date', '20190230', '--out', join(dir, 'bad-day')]);
    expect(day.code).toBe(1);
    expect(day.stderr).toContain('--date: 20190230 is not a calendar day (expected yyyyMMdd)');
    const format = await runCli(['simulate', 'driving', '--date', '2019-01-01', '--file', join(dir, 'x.log')]);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('--date: date must be yyyyMMdd, got "2019-01-01"');
    expect(existsSync(join(dir, 'bad-day'))).toBe(false);
  });
});

/**
 * `rxflume schemas check` on temporary schema folders, through the real CLI: a table of schema
 * changes → the exact lines it prints and its exit code, in each mode; --transitive; usage errors.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runCli } from '../support/cli.js';
import { tempDir } from '../support/wait.js';

type Field = Record<string, unknown>;
const GRADE = { type: 'enum', name: 'Grade', symbols: ['A', 'B', 'C'] };
const BASE: Field[] = [
  { name: 'id', type: 'string' },
  { name: 'speed', type: 'int' },
  { name: 'grade', type: GRADE },
  { name: 'note', type: ['null', 'string'], default: null },
];
const car = (fields: Field[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name: 'Car',
  namespace: 'demo',
  fields,
  ...extra,
});
const replace = (name: string, field: Field) => BASE.map((f) => (f.name === name ? field : f));

const PROMOTIONS = '(promotions: int→long→float→double, string↔bytes)';

/** [case, v2 fields, mode, expected stderr lines (empty = compatible, exit 0)] */
const TABLE: [string, Field[], string, string[]][] = [
  [
    'added field without a default, backward',
    [...BASE, { name: 'odometer_km', type: 'double' }],
    'backward',
    ['demo.Car v2 cannot read v1 (backward): demo.Car.odometer_km: added field without a default'],
  ],
  [
    'added nullable field with a null default, full',
    [...BASE, { name: 'odometer_km', type: ['null', 'double'], default: null }],
    'full',
    [],
  ],
  ['removed field without a default, backward', BASE.filter((f) => f.name !== 'speed'), 'backward', []],
  [
    'removed field without a default, forward',
    BASE.filter((f) => f.name !== 'speed'),
    'forward',
    ['demo.Car v1 cannot read v2 (forward): demo.Car.speed: removed field without a default (older readers need one)'],
  ],
  ['removed field that had a default, full', BASE.filter((f) => f.name !== 'note'), 'full', []],
  ['int widened to long, backward', replace('speed', { name: 'speed', type: 'long' }), 'backward', []],
  [
    'int widened to long, forward',
    replace('speed', { name: 'speed', type: 'long' }),
    'forward',
    [`demo.Car v1 cannot read v2 (forward): demo.Car.speed: type changed from int to long: long cannot be read as int ${PROMOTIONS}`],
  ],
  [
    'int changed to string, full',
    replace('speed', { name: 'speed', type: 'string' }),
    'full',
    [
      `demo.Car v2 cannot read v1 (backward): demo.Car.speed: type changed from int to string: int cannot be read as string ${PROMOTIONS}`,
      `demo.Car v1 cannot read v2 (forward): demo.Car.speed: type changed from int to string: string cannot be read as int ${PROMOTIONS}`,
    ],
  ],
  ['string to bytes, full', replace('id', { name: 'id', type: 'bytes' }), 'full', []],
  [
    'nullable made required, backward',
    replace('note', { name: 'note', type: 'string' }),
    'backward',
    [
      `demo.Car v2 cannot read v1 (backward): demo.Car.note: type changed from [null, string] to string: its branch null has no match ${PROMOTIONS}`,
    ],
  ],
  [
    'enum symbol removed, backward',
    replace('grade', { name: 'grade', type: { ...GRADE, symbols: ['A', 'B'] } }),
    'backward',
    ['demo.Car v2 cannot read v1 (backward): demo.Car.grade: enum symbol removed without an enum default: C'],
  ],
  [
    'enum symbol added without an enum default, forward',
    replace('grade', { name: 'grade', type: { ...GRADE, symbols: ['A', 'B', 'C', 'D'] } }),
    'forward',
    ['demo.Car v1 cannot read v2 (forward): demo.Car.grade: enum symbol added without an enum default: D'],
  ],
  [
    'enum symbol added without an enum default, backward',
    replace('grade', { name: 'grade', type: { ...GRADE, symbols: ['A', 'B', 'C', 'D'] } }),
    'backward',
    [],
  ],
  [
    'renamed field without an alias, backward',
    replace('speed', { name: 'velocity', type: 'int' }),
    'backward',
    ['demo.Car v2 cannot read v1 (backward): demo.Car.velocity: renamed from speed without an alias (add "aliases": ["speed"])'],
  ],
  [
    'renamed field without an alias, forward',
    replace('speed', { name: 'velocity', type: 'int' }),
    'forward',
    ['demo.Car v1 cannot read v2 (forward): demo.Car.speed: renamed to velocity: older readers find no speed and it has no default'],
  ],
  ['renamed field with an alias, backward', replace('speed', { name: 'velocity', type: 'int', aliases: ['speed'] }), 'backward', []],
  [
    'enum renamed without an alias, backward',
    replace('grade', { name: 'grade', type: { ...GRADE, name: 'Mark' } }),
    'backward',
    ['demo.Car v2 cannot read v1 (backward): demo.Car.grade: named type changed from demo.Grade to demo.Mark without an alias'],
  ],
];

describe('rxflume schemas check', () => {
  const dirs: (() => Promise<void>)[] = [];
  afterAll(async () => {
    killAll();
    for (const cleanup of dirs) await cleanup();
  });

  async function schemaDir(versions: Field[][], extra: Record<string, unknown>[] = []): Promise<string> {
    const t = await tempDir('rxflume-schemas-');
    dirs.push(t.cleanup);
    await mkdir(join(t.dir, 'demo'));
    for (const [i, fields] of versions.entries()) {
      await writeFile(join(t.dir, 'demo', `Car.v${i + 1}.avsc`), JSON.stringify(car(fields, extra[i] ?? {})));
    }
    return t.dir;
  }

  it.each(TABLE)('%s', { timeout: 60_000 }, async (_case, v2, mode, expected) => {
    const dir = await schemaDir([BASE, v2]);
    const r = await runCli(['schemas', 'check', '--dir', dir, '--mode', mode]);
    const stderr = r.stderr.trim() === '' ? [] : r.stderr.trim().split('\n');
    expect(stderr).toEqual(expected);
    expect(r.code).toBe(expected.length === 0 ? 0 : 1);
    const verdict = expected.length === 0 ? 'compatible' : 'INCOMPATIBLE';
    expect(r.stdout).toBe(`demo.Car: versions 1, 2 ${verdict} (${mode}, 1 pair)\n`);
  });

  it('checks the package schemas in full mode, transitively, and passes', { timeout: 60_000 }, async () => {
    const r = await runCli(['schemas', 'check', '--mode', 'full', '--transitive']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'smartcar.CarStatus: versions 1, 2 compatible (full, transitive, 1 pair)\n' +
        'smartcar.DrivingEvent: versions 1, 2 compatible (full, transitive, 1 pair)\n',
    );
  });

  it('--transitive finds what only an older version breaks', { timeout: 60_000 }, async () => {
    const v1 = [{ name: 'id', type: 'string' }];
    const v2 = [...v1, { name: 'x', type: 'int', default: 0 }];
    const v3 = [...v1, { name: 'x', type: 'int' }];
    const dir = await schemaDir([v1, v2, v3]);
    const plain = await runCli(['schemas', 'check', '--dir', dir]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('demo.Car: versions 1, 2, 3 compatible (backward, 2 pairs)\n');
    const transitive = await runCli(['schemas', 'check', '--dir', dir, '--transitive']);
    expect(transitive.code).toBe(1);
    expect(transitive.stderr).toBe('demo.Car v3 cannot read v1 (backward): demo.Car.x: added field without a default\n');
    expect(transitive.stdout).toBe('demo.Car: versions 1, 2, 3 INCOMPATIBLE (backward, transitive, 3 pairs)\n');
  });

  it('lists every version with its fingerprint', { timeout: 60_000 }, async () => {
    const r = await runCli(['schemas', 'list']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3));
    expect(rows.map((row) => row.slice(0, 2))).toEqual([
      ['smartcar.CarStatus', 'v1'],
      ['smartcar.CarStatus', 'v2'],
      ['smartcar.DrivingEvent', 'v1'],
      ['smartcar.DrivingEvent', 'v2'],
    ]);
    for (const row of rows) expect(row[2]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('exits 2 on a bad mode and on a schema folder that does not load', { timeout: 60_000 }, async () => {
    const bad = await runCli(['schemas', 'check', '--mode', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('rxflume schemas check: --mode must be backward, forward or full, got "sideways"\n');
    const dir = await schemaDir([BASE]);
    await writeFile(join(dir, 'demo', 'Car.v2.avsc'), '{ not json');
    const broken = await runCli(['schemas', 'check', '--dir', dir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^rxflume schemas: schema file .*Car\.v2\.avsc: invalid JSON/);
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RxfError } from '../../src/core/errors.js';
import { schemaFingerprintHex } from '../../src/schemas/fingerprint.js';
import { defaultSchemaDir, loadSchemaRegistry } from '../../src/schemas/registry.js';
import { DRIVING_V1_RECORD } from '../support/samples.js';
import { tempDir } from '../support/wait.js';

const record = (name: string, namespace: string, fields: unknown[]) => JSON.stringify({ type: 'record', name, namespace, fields });

describe('the package schemas', () => {
  const registry = loadSchemaRegistry();

  it('resolves the default folder to the package schemas/', () => {
    expect(defaultSchemaDir()).toBe(resolve(import.meta.dirname, '..', '..', 'schemas'));
  });

  it('holds both smart-car records at versions 1 and 2, latest 2', () => {
    expect(registry.names()).toEqual(['smartcar.CarStatus', 'smartcar.DrivingEvent']);
    const status = registry.get('smartcar.CarStatus');
    expect(status.version).toBe(2);
    expect(status.file).toBe(join(defaultSchemaDir(), 'smartcar', 'CarStatus.v2.avsc'));
    expect(registry.get('smartcar.CarStatus', 1).file).toBe(join(defaultSchemaDir(), 'smartcar', 'CarStatus.v1.avsc'));
    expect(registry.versions('smartcar.DrivingEvent')).toEqual([1, 2]);
    expect(registry.get('smartcar.DrivingEvent', 1).type.name).toBe('smartcar.DrivingEvent');
  });

  it('links each version to the earlier ones and finds a version by its fingerprint', () => {
    const v1 = registry.get('smartcar.CarStatus', 1);
    const v2 = registry.get('smartcar.CarStatus', 2);
    expect(v1.earlier).toEqual([]);
    expect(v2.earlier.map((e) => e.version)).toEqual([1]);
    expect(v2.earlier[0]).toBe(v1);
    expect(v1.fingerprint).toBe(schemaFingerprintHex(v1.schema));
    expect(v1.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(v2.fingerprint).not.toBe(v1.fingerprint);
    expect(registry.byFingerprint(v1.fingerprint)).toBe(v1);
    expect(registry.byFingerprint(v2.fingerprint.toUpperCase())).toBe(v2);
    expect(registry.byFingerprint(registry.get('smartcar.DrivingEvent', 1).fingerprint)?.name).toBe('smartcar.DrivingEvent');
    expect(registry.byFingerprint('0000000000000000')).toBeUndefined();
  });

  it('adds the v2 fields of the shared decision, nullable with null defaults, before collect_date', () => {
    const fieldsOf = (name: string, v: number) =>
      (registry.get(name, v).schema as { fields: { name: string; type: unknown; default?: unknown }[] }).fields;
    const v1Status = fieldsOf('smartcar.CarStatus', 1).map((f) => f.name);
    const v2Status = fieldsOf('smartcar.CarStatus', 2);
    expect(v2Status.map((f) => f.name)).toEqual([...v1Status.slice(0, 13), 'odometer_km', 'firmware_version', 'collect_date']);
    expect(v2Status.slice(13, 15).map((f) => [f.type, f.default])).toEqual([
      [['null', 'double'], null],
      [['null', 'string'], null],
    ]);
    const v2Driving = fieldsOf('smartcar.DrivingEvent', 2);
    expect(v2Driving.map((f) => f.name)).toEqual([...fieldsOf('smartcar.DrivingEvent', 1).map((f) => f.name), 'gps_lat', 'gps_lon']);
    expect(v2Driving.slice(8).map((f) => [f.type, f.default])).toEqual([
      [['null', 'double'], null],
      [['null', 'double'], null],
    ]);
  });

  it('keeps the field names of the pilot data, each with a doc', () => {
    const fieldsOf = (name: string) => (registry.get(name, 1).schema as { fields: { name: string; doc?: string }[] }).fields;
    expect(fieldsOf('smartcar.CarStatus').map((f) => f.name)).toEqual([
      'reg_date',
      'car_number',
      'tire_fl',
      'tire_fr',
      'tire_bl',
      'tire_br',
      'light_fl',
      'light_fr',
      'light_bl',
      'light_br',
      'engine',
      'break',
      'battery',
      'collect_date',
    ]);
    expect(fieldsOf('smartcar.DrivingEvent').map((f) => f.name)).toEqual([
      'date',
      'car_number',
      'speed_pedal',
      'break_pedal',
      'steer_angle',
      'direct_light',
      'speed',
      'area_number',
    ]);
    for (const name of registry.names())
      for (const v of registry.versions(name))
        for (const f of (registry.get(name, v).schema as { fields: { name: string; doc?: string }[] }).fields)
          expect(f.doc, `${name} v${v}.${f.name}`).toBeTruthy();
  });

  it('validates records with avsc', () => {
    const driving = registry.get('smartcar.DrivingEvent').type;
    const ok = DRIVING_V1_RECORD;
    expect(driving.isValid(ok)).toBe(true);
    expect(driving.isValid({ ...ok, steer_angle: 'L4' })).toBe(false);
  });

  it('names the known schemas for an unknown name and the versions for an unknown version', () => {
    expect(() => registry.get('smartcar.Nope')).toThrow(
      'unknown schema "smartcar.Nope" (known: smartcar.CarStatus, smartcar.DrivingEvent)',
    );
    expect(() => registry.get('smartcar.CarStatus', 7)).toThrow('schema "smartcar.CarStatus" has no version 7 (versions: 1, 2)');
    expect(registry.has('smartcar.CarStatus', 2)).toBe(true);
    expect(registry.has('smartcar.CarStatus', 3)).toBe(false);
  });
});

describe('loading a schema folder', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, 'demo'));
  });
  afterEach(() => cleanup());

  const put = (rel: string, text: string) => writeFile(join(dir, rel), text);
  const loadError = (): RxfError => {
    try {
      loadSchemaRegistry(dir);
    } catch (err) {
      return err as RxfError;
    }
    throw new Error('expected the load to fail');
  };

  it('answers the latest version by default, any version on request, and ignores other files', async () => {
    await put('demo/Thing.v1.avsc', record('Thing', 'demo', [{ name: 'a', type: 'int' }]));
    await put(
      'demo/Thing.v2.avsc',
      record('Thing', 'demo', [
        { name: 'a', type: 'int' },
        { name: 'b', type: ['null', 'string'], default: null },
      ]),
    );
    await put('demo/notes.md', '# not a schema');
    const registry = loadSchemaRegistry(dir);
    expect(registry.versions('demo.Thing')).toEqual([1, 2]);
    expect(registry.get('demo.Thing').version).toBe(2);
    expect(registry.get('demo.Thing', 1).version).toBe(1);
  });

  it('reads nested folders as a dotted namespace', async () => {
    await mkdir(join(dir, 'com', 'acme'), { recursive: true });
    await put('com/acme/Widget.v1.avsc', record('Widget', 'com.acme', [{ name: 'a', type: 'string' }]));
    expect(loadSchemaRegistry(dir).get('com.acme.Widget').version).toBe(1);
  });

  it.each([
    ['invalid JSON', 'demo/Bad.v1.avsc', '{ "type": ', 'invalid JSON'],
    ['invalid Avro', 'demo/Bad.v1.avsc', record('Bad', 'demo', [{ name: 'a', type: 'integer' }]), 'invalid Avro schema'],
    [
      'a name that does not match the path',
      'demo/Bad.v1.avsc',
      record('Other', 'demo', []),
      'defines demo.Other, but its place in the folder says demo.Bad',
    ],
    ['a bad file name', 'demo/Bad.avsc', record('Bad', 'demo', []), 'file must be named <namespace>/<Name>.v<N>.avsc'],
    ['a file outside any namespace folder', 'Bad.v1.avsc', record('Bad', 'demo', []), 'file must be named <namespace>/<Name>.v<N>.avsc'],
    ['not an object', 'demo/Bad.v1.avsc', '"string"', 'a schema file must hold one JSON object'],
    [
      'an unknown constraint attribute',
      'demo/Bad.v1.avsc',
      record('Bad', 'demo', [{ name: 'a', type: 'int', 'rxflume.maximum': 3 }]),
      'a: unknown attribute "rxflume.maximum" (known: rxflume.min, rxflume.max, rxflume.pattern)',
    ],
    [
      'a range on a string',
      'demo/Bad.v1.avsc',
      record('Bad', 'demo', [{ name: 's', type: 'string', 'rxflume.min': 0 }]),
      's: "rxflume.min" applies to int, long, float or double fields, not string',
    ],
    [
      'a pattern on an int',
      'demo/Bad.v1.avsc',
      record('Bad', 'demo', [{ name: 'a', type: 'int', 'rxflume.pattern': '^1$' }]),
      'a: "rxflume.pattern" applies to string or enum fields, not int',
    ],
    [
      'a pattern that does not compile',
      'demo/Bad.v1.avsc',
      record('Bad', 'demo', [{ name: 's', type: 'string', 'rxflume.pattern': '^(' }]),
      's: "rxflume.pattern" is not a valid regular expression',
    ],
    [
      'min above max',
      'demo/Bad.v1.avsc',
      record('Bad', 'demo', [{ name: 'a', type: ['null', 'int'], 'rxflume.min': 5, 'rxflume.max': 1 }]),
      'a: "rxflume.min" 5 is greater than "rxflume.max" 1',
    ],
  ])('rejects %s with an error naming the file', async (_what, rel, text, problem) => {
    await put(rel, text);
    const err = loadError();
    expect(err).toBeInstanceOf(RxfError);
    expect(err.code).toBe('RXF_CONFIG_INVALID');
    expect(err.message).toContain(`schema file ${join(dir, rel)}: `);
    expect(err.message).toContain(problem);
  });

  it('rejects one name and version defined twice, naming both files', async () => {
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await mkdir(join(dir, 'a.b'));
    await put('a/b/X.v1.avsc', record('X', 'a.b', [{ name: 'a', type: 'int' }]));
    await put('a.b/X.v1.avsc', record('X', 'a.b', [{ name: 'a', type: 'int' }]));
    const err = loadError();
    expect(err.message).toContain('a.b.X version 1 is already defined in');
    expect(err.message).toContain(join(dir, 'a.b', 'X.v1.avsc'));
    expect(err.message).toContain(join(dir, 'a', 'b', 'X.v1.avsc'));
  });

  it('names the folder when it does not exist', () => {
    expect(() => loadSchemaRegistry(join(dir, 'missing'))).toThrow(`schema folder ${join(dir, 'missing')}: ENOENT`);
  });
});

/**
 * Config validation: a table of broken configs → the exact messages a user sees, every problem
 * with its path. The pilot config itself must validate.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/check.js';
import { ConfigError } from '../../src/config/issues.js';
import { parseConfig } from '../../src/config/load.js';
import { PILOT_CONFIG } from '../support/pilot.js';

const SINKS = `
sinks:
  out: { type: hdfs, path: /x }
`;

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(yaml, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config validation', () => {
  it('accepts the pilot config and freezes it', async () => {
    const config = parseConfig(await readFile(PILOT_CONFIG, 'utf8'), PILOT_CONFIG, {});
    expect(config.sources.map((s) => s.id)).toEqual(['status', 'driving']);
    expect(config.sinks.map((s) => s.id)).toEqual(['hdfs', 'driving_kafka']);
    expect(Object.isFrozen(config.sources[0]?.common)).toBe(true);
    await expect(checkConfig(config)).resolves.toBeDefined();
  });

  it.each<[string, string, string[]]>([
    ['no sources', `sources: {}\n${SINKS}`, ['sources: at least one source is required']],
    [
      'missing tail path',
      `sources:\n  driving: { type: tail, sinks: [out] }\n${SINKS}`,
      ['sources.driving.path: required: the file to follow'],
    ],
    [
      'unknown source type',
      `sources:\n  a: { type: kafka, sinks: [out] }\n${SINKS}`,
      ['sources.a.type: unknown type "kafka" (known: spooldir, tail)'],
    ],
    ['unknown option', `sources:\n  a: { type: tail, path: /x, sinks: [out], pth: /y }\n${SINKS}`, ['sources.a.pth: unknown option']],
    [
      'sink not defined',
      `sources:\n  a: { type: tail, path: /x, sinks: [nope] }\n${SINKS}`,
      ['sources.a.sinks[0]: no sink named "nope" (defined: out)'],
    ],
    ['no sinks listed', `sources:\n  a: { type: tail, path: /x, sinks: [] }\n${SINKS}`, ['sources.a.sinks: must name at least one sink']],
    [
      'bad buffer',
      `sources:\n  a: { type: tail, path: /x, sinks: [out], buffer: { maxEvents: 0, maxBytes: lots, whenFull: wait } }\n${SINKS}`,
      [
        'sources.a.buffer.maxEvents: Too small: expected number to be >0',
        'sources.a.buffer.maxBytes: "lots" is not a byte size (use a number or e.g. 64MiB, 512KB)',
        'sources.a.buffer.whenFull: Invalid option: expected one of "block"|"drop_newest"',
      ],
    ],
    [
      'parseWorker not a boolean',
      `sources:\n  a: { type: tail, path: /x, sinks: [out], parseWorker: sometimes }\n${SINKS}`,
      ['sources.a.parseWorker: must be true or false'],
    ],
    [
      'unknown interceptor',
      `sources:\n  a: { type: tail, path: /x, sinks: [out], interceptors: [{ type: regex }] }\n${SINKS}`,
      [
        'sources.a.interceptors[0].type: unknown interceptor "regex" (known: timestamp, static, host, regex_filter, regex_extractor, search_replace, append_field)',
      ],
    ],
    [
      'interceptor option missing',
      `sources:\n  a: { type: tail, path: /x, sinks: [out], interceptors: [{ type: regex_filter }] }\n${SINKS}`,
      ['sources.a.interceptors[0].regex: required: a regular expression'],
    ],
    [
      'sink path missing',
      `sources:\n  a: { type: tail, path: /x, sinks: [out] }\nsinks:\n  out: { type: hdfs }\n`,
      ['sinks.out.path: required: path template'],
    ],
    [
      'unset env var',
      `sources:\n  a: { type: tail, path: '\${LOGS}/x', sinks: [out] }\n${SINKS}`,
      ['sources.a.path: environment variable LOGS is not set and has no default ($' + '{LOGS:-default})'],
    ],
    [
      'not YAML',
      'sources: [unclosed',
      ['(root): not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 19'],
    ],
  ])('%s', (_name, yaml, expected) => {
    expect(problems(yaml)).toEqual(expected);
  });

  it('reports every problem of a file at once', () => {
    const found = problems(`sources:\n  a: { type: tail, sinks: [x] }\n  b: { type: spooldir, sinks: [out] }\n${SINKS}`);
    expect(found).toEqual([
      'sources.a.sinks[0]: no sink named "x" (defined: out)',
      'sources.a.path: required: the file to follow',
      'sources.b.spoolDir: required: the folder to watch',
    ]);
  });

  it('an unknown schema is reported by path after the schema folder is read', async () => {
    const config = parseConfig(`sources:\n  a: { type: tail, path: /x, sinks: [out], schema: smartcar.Nope }\n${SINKS}`, 't.yaml', {});
    await expect(checkConfig(config)).rejects.toThrow(
      /sources\.a\.schema: unknown schema "smartcar\.Nope" \(known: smartcar\.CarStatus, smartcar\.DrivingEvent\)/,
    );
  });

  it('a Confluent Kafka sink without an id for the schema version a source writes is reported at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rxflume-ids-'));
    try {
      const ids = join(dir, 'ids.json');
      await writeFile(ids, '{"smartcar.DrivingEvent": {"1": 21}}');
      const yaml = (version: number) =>
        `sources:\n  a: { type: tail, path: /x, sinks: [k], schema: smartcar.DrivingEvent, schemaVersion: ${version} }\n` +
        `sinks:\n  k: { type: kafka, brokers: [127.0.0.1:9092], topic: t, format: avro, wireFormat: confluent, schemaIds: ${ids} }\n`;
      await expect(checkConfig(parseConfig(yaml(1), 't.yaml', {}))).resolves.toBeDefined();
      await expect(checkConfig(parseConfig(yaml(2), 't.yaml', {}))).rejects.toThrow(
        `sinks.k.schemaIds: ${ids} has no id for smartcar.DrivingEvent version 2 (written by the sources feeding this sink)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('substitutes environment variables with defaults', () => {
    const config = parseConfig(`sources:\n  a: { type: tail, path: '\${LOGS:-/var/log}/x.log', sinks: [out] }\n${SINKS}`, 't.yaml', {});
    const options = config.sources[0]?.options as { path: string } | undefined;
    expect(options?.path).toBe('/var/log/x.log');
  });
});

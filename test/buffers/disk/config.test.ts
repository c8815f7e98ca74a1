/** `buffer` config: memory by default (old configs unchanged), disk with its defaults, exact errors. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/issues.js';
import { parseConfig } from '../../../src/config/load.js';

const SINKS = `
sinks:
  out: { type: hdfs, path: /x }
`;

function source(buffer: string | undefined): string {
  return `sources:\n  a: { type: tail, path: /x, sinks: [out]${buffer === undefined ? '' : `, buffer: ${buffer}`} }\n${SINKS}`;
}

function problems(yaml: string): readonly string[] {
  try {
    parseConfig(yaml, 'test.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

function buffer(yaml: string): unknown {
  return parseConfig(yaml, 'test.yaml', {}).sources[0]?.common.buffer;
}

describe('buffer config', () => {
  it('is a memory buffer when absent or without a type (configs from before the disk buffer)', () => {
    const memory = { type: 'memory', maxEvents: 100_000, maxBytes: 64 * 1024 * 1024, whenFull: 'block' };
    expect(buffer(source(undefined))).toEqual(memory);
    expect(buffer(source('{ maxEvents: 5 }'))).toEqual({ ...memory, maxEvents: 5 });
    expect(buffer(source('{ type: memory, whenFull: drop_newest }'))).toEqual({ ...memory, whenFull: 'drop_newest' });
  });

  it('gives the disk buffer its defaults', () => {
    expect(buffer(source('{ type: disk }'))).toEqual({
      type: 'disk',
      maxBytes: 1024 ** 3,
      segmentBytes: 32 * 1024 ** 2,
      fsync: 'batch',
      fsyncIntervalMs: 1000,
      whenFull: 'block',
    });
    expect(
      buffer(source('{ type: disk, dir: /var/buf, maxBytes: 2GiB, fsync: interval, fsyncIntervalMs: 200, whenFull: drop_newest }')),
    ).toEqual({
      type: 'disk',
      dir: '/var/buf',
      maxBytes: 2 * 1024 ** 3,
      segmentBytes: 32 * 1024 ** 2,
      fsync: 'interval',
      fsyncIntervalMs: 200,
      whenFull: 'drop_newest',
    });
  });

  it.each<[string, string, string[]]>([
    ['unknown type', '{ type: tape }', ['sources.a.buffer.type: type must be memory or disk']],
    ['memory option on a disk buffer', '{ type: disk, maxEvents: 10 }', ['sources.a.buffer.maxEvents: unknown option']],
    ['disk option on a memory buffer', '{ fsync: batch }', ['sources.a.buffer.fsync: unknown option']],
    ['bad fsync', '{ type: disk, fsync: always }', ['sources.a.buffer.fsync: must be batch or interval']],
    ['bad whenFull', '{ type: disk, whenFull: wait }', ['sources.a.buffer.whenFull: must be block or drop_newest']],
    [
      'bad size',
      '{ type: disk, maxBytes: lots }',
      ['sources.a.buffer.maxBytes: "lots" is not a byte size (use a number or e.g. 64MiB, 512KB)'],
    ],
    ['empty dir', "{ type: disk, dir: '' }", ['sources.a.buffer.dir: must be a folder path']],
    ['zero interval', '{ type: disk, fsyncIntervalMs: 0 }', ['sources.a.buffer.fsyncIntervalMs: must be at least 1']],
  ])('%s', (_name, buf, expected) => {
    expect(problems(source(buf))).toEqual(expected);
  });
});

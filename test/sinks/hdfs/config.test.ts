import { describe, expect, it } from 'vitest';
import { hdfsSink } from '../../../src/sinks/hdfs/index.js';

function issues(input: unknown): string[] {
  const r = hdfsSink.configSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('hdfs sink config', () => {
  it('has type hdfs and Flume defaults', () => {
    expect(hdfsSink.type).toBe('hdfs');
    expect(hdfsSink.configSchema.parse({ path: '/p' })).toEqual({
      root: './data/hdfs',
      path: '/p',
      filePrefix: 'FlumeData',
      fileSuffix: '',
      inUseSuffix: '.tmp',
      format: 'text',
      codec: 'deflate',
      rollSize: 67108864,
      rollCount: 0,
      rollInterval: 3600,
      idleTimeout: 0,
      useLocalTimeStamp: false,
      timeZone: 'local',
      maxOpenFiles: 5000,
      fsync: 'batch',
    });
  });

  it('accepts the pilot config and byte-size units', () => {
    const c = hdfsSink.configSchema.parse({
      path: '/pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d',
      filePrefix: '%{logType}',
      fileSuffix: '.log',
      rollSize: '64MiB',
      rollInterval: 0,
      idleTimeout: 100,
      timeZone: 'Asia/Seoul',
    });
    expect(c.rollSize).toBe(67108864);
  });

  const table: Array<[unknown, string]> = [
    [{}, 'path: required: path template'],
    [{ path: '' }, 'path: required: a directory template'],
    [{ path: '/x/%a' }, 'path: unsupported escape "%a" in "/x/%a"'],
    [{ path: '/x', filePrefix: '%{oops' }, 'filePrefix: unclosed escape "%{"'],
    [{ path: '/x', filePrefix: 'a/b' }, 'filePrefix: must be non-empty and contain no "/"'],
    [{ path: '/x', inUseSuffix: '' }, 'inUseSuffix: must not be empty'],
    [{ path: '/x', fileSuffix: '/x' }, 'fileSuffix: must not contain "/"'],
    [{ path: '/x', format: 'orc' }, 'format: must be "text" or "avro"'],
    [{ path: '/x', codec: 'snappy' }, 'codec: must be "deflate" or "null"'],
    [{ path: '/x', rollSize: 'big' }, 'rollSize: "big" is not a byte size'],
    [{ path: '/x', rollCount: -1 }, 'rollCount: must be >= 0'],
    [{ path: '/x', rollInterval: 'hourly' }, 'rollInterval: must be a number of seconds'],
    [{ path: '/x', timeZone: 'Mars/Olympus' }, "timeZone: must be 'local' or an IANA time zone"],
    [{ path: '/x', maxOpenFiles: 0 }, 'maxOpenFiles: must be >= 1'],
    [{ path: '/x', fsync: 'never' }, 'fsync: must be "batch"'],
    [{ path: '/x', batchSizee: 10 }, 'Unrecognized key: "batchSizee"'],
  ];
  for (const [input, expected] of table) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const found = issues(input);
      expect(
        found.some((m) => m.includes(expected)),
        `got ${JSON.stringify(found)}`,
      ).toBe(true);
    });
  }
});

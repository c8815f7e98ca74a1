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
      requestTimeoutMs: 30000,
      noredirect: false,
      root: './data/hdfs',
      path: '/p',
      filePrefix: 'FlumeData',
      fileSuffix: '',
      inUseSuffix: '.tmp',
      format: 'text',
      codec: 'deflate',
      deflateLevel: 6,
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
    [{ path: '/x', codec: 'lz4' }, 'codec: must be "deflate", "snappy" or "null"'],
    [{ path: '/x', deflateLevel: 0 }, 'deflateLevel: must be an integer from 1 to 9'],
    [{ path: '/x', deflateLevel: 10 }, 'deflateLevel: must be an integer from 1 to 9'],
    [{ path: '/x', deflateLevel: 1.5 }, 'deflateLevel: must be an integer from 1 to 9'],
    [{ path: '/x', deflateLevel: 'fast' }, 'deflateLevel: must be an integer from 1 to 9'],
    [{ path: '/x', rollSize: 'big' }, 'rollSize: "big" is not a byte size'],
    [{ path: '/x', rollCount: -1 }, 'rollCount: must be >= 0'],
    [{ path: '/x', rollInterval: 'hourly' }, 'rollInterval: must be a number of seconds'],
    [{ path: '/x', timeZone: 'Mars/Olympus' }, "timeZone: must be 'local' or an IANA time zone"],
    [{ path: '/x', maxOpenFiles: 0 }, 'maxOpenFiles: must be >= 1'],
    [{ path: '/x', fsync: 'never' }, 'fsync: must be "batch"'],
    [{ path: '/x', batchSizee: 10 }, 'Unrecognized key: "batchSizee"'],
    [{ path: '/x', url: 'namenode:9870' }, 'url: unsupported scheme "namenode:"'],
    [{ path: '/x', url: 'not a url' }, 'url: "not a url" is not a URL'],
    [{ path: '/x', url: 'ftp://nn:21' }, 'url: unsupported scheme "ftp:"'],
    [{ path: '/x', url: 'webhdfs://nn:9870/pilot' }, 'url: must be only scheme://host:port'],
    [{ path: '/x', url: 'webhdfs://u:p@nn:9870' }, 'url: must not hold credentials'],
    [{ path: '/x', namenodes: [] }, 'namenodes: must name at least one namenode'],
    [{ path: '/x', namenodes: 'webhdfs://nn1' }, 'namenodes: must be a list of namenode URLs'],
    [{ path: '/x', namenodes: ['file:///data'] }, 'namenodes.0: must be a webhdfs:, swebhdfs:, http: or https: URL'],
    [{ path: '/x', url: 'webhdfs://a', namenodes: ['webhdfs://b'] }, 'namenodes: set either url or namenodes, not both'],
    [{ path: '/x', user: 'a', delegationToken: 't' }, 'delegationToken: set either user or delegationToken, not both'],
    [{ path: '/x', user: '' }, 'user: must not be empty'],
    [{ path: '/x', requestTimeoutMs: 0 }, 'requestTimeoutMs: must be at least 1'],
    [{ path: '/x', noredirect: 'yes' }, 'noredirect: must be true or false'],
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

  it('maps URLs onto backends', async () => {
    const { parseHdfsUrl } = await import('../../../src/sinks/hdfs/endpoint.js');
    expect(parseHdfsUrl('webhdfs://nn1')).toEqual({ kind: 'webhdfs', base: 'http://nn1:9870' });
    expect(parseHdfsUrl('webhdfs://nn1:50070/')).toEqual({ kind: 'webhdfs', base: 'http://nn1:50070' });
    expect(parseHdfsUrl('swebhdfs://nn1')).toEqual({ kind: 'webhdfs', base: 'https://nn1:9871' });
    expect(parseHdfsUrl('http://10.0.0.1:9870')).toEqual({ kind: 'webhdfs', base: 'http://10.0.0.1:9870' });
    expect(parseHdfsUrl('file:')).toEqual({ kind: 'local' });
    expect(parseHdfsUrl('file:///data/hdfs')).toEqual({ kind: 'local', root: '/data/hdfs' });
  });
});

/** Flume sinks and interceptors → rxflume sinks and interceptor entries; each result validates. */
import { describe, expect, it } from 'vitest';
import { agentFile, imported } from './helpers.js';

const hdfs = (path: string, extra: string[] = []) => [
  'a1.sinks.k1.type = hdfs',
  `a1.sinks.k1.hdfs.path = ${path}`,
  'a1.sinks.k1.hdfs.fileType = DataStream',
  ...extra,
];

describe('hdfs sink', () => {
  it.each([
    ['webhdfs://nn1:50070/flume/%Y%m%d', undefined, { url: 'webhdfs://nn1:50070', path: '/flume/%Y%m%d' }, []],
    ['swebhdfs://nn1/flume', undefined, { url: 'swebhdfs://nn1', path: '/flume' }, []],
    [
      'hdfs://nn1:8020/flume/%{logType}',
      undefined,
      { url: 'webhdfs://nn1:9870', path: '/flume/%{logType}' },
      [
        'line 8: a1.sinks.k1.hdfs.path: hdfs://nn1:8020 is the namenode RPC address; rxflume writes over WebHDFS at webhdfs://nn1:9870 (the Hadoop 3 namenode HTTP port): change url if yours differs',
      ],
    ],
    ['file:///var/out/%Y', undefined, { root: '/', path: '/var/out/%Y' }, []],
    ['/flume/%Y', 'webhdfs://nn2:9870', { url: 'webhdfs://nn2:9870', path: '/flume/%Y' }, []],
    ['/flume/%Y', 'file:///srv/hdfs', { root: '/srv/hdfs', path: '/flume/%Y' }, []],
    ['/flume/%Y', './local-hdfs', { root: './local-hdfs', path: '/flume/%Y' }, []],
    [
      '/flume/%Y',
      'hdfs://nameservice1',
      { url: 'webhdfs://nameservice1:9870', path: '/flume/%Y' },
      [
        'line 8: a1.sinks.k1.hdfs.path: hdfs://nameservice1 is the namenode RPC address; rxflume writes over WebHDFS at webhdfs://nameservice1:9870 (the Hadoop 3 namenode HTTP port): change url if yours differs',
      ],
    ],
  ])('hdfs.path %s (default fs %s)', (path, hdfsUrl, where, warnings) => {
    const r = imported(agentFile({ sink: hdfs(path) }), hdfsUrl === undefined ? {} : { hdfsUrl });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(warnings);
    expect(r.sink).toMatchObject(where);
    expect(r.validate()).toEqual([]);
  });

  it("Flume's defaults apply where unset (roll 30 s / 1024 B / 10 events, batch 100); options carried by name", () => {
    const r = imported(
      agentFile({
        sink: hdfs('webhdfs://nn:9870/data', [
          'a1.sinks.k1.hdfs.filePrefix = events-%{host}',
          'a1.sinks.k1.hdfs.fileSuffix = .txt',
          'a1.sinks.k1.hdfs.inUseSuffix = .writing',
          'a1.sinks.k1.hdfs.idleTimeout = 60',
          'a1.sinks.k1.hdfs.maxOpenFiles = 50',
          'a1.sinks.k1.hdfs.timeZone = Asia/Seoul',
          'a1.sinks.k1.hdfs.useLocalTimeStamp = true',
          'a1.sinks.k1.hdfs.proxyUser = flume',
          'a1.sinks.k1.hdfs.callTimeout = 20000',
          'a1.sinks.k1.hdfs.writeFormat = Text',
          'a1.sinks.k1.hdfs.round = false',
          'a1.sinks.k1.serializer = TEXT',
        ]),
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.sink).toEqual({
      type: 'hdfs',
      format: 'text',
      url: 'webhdfs://nn:9870',
      path: '/data',
      filePrefix: 'events-%{host}',
      fileSuffix: '.txt',
      inUseSuffix: '.writing',
      timeZone: 'Asia/Seoul',
      rollInterval: 30,
      rollSize: 1024,
      rollCount: 10,
      batchSize: 100,
      idleTimeout: 60,
      maxOpenFiles: 50,
      requestTimeoutMs: 20000,
      useLocalTimeStamp: true,
      user: 'flume',
    });
    expect(r.validate()).toEqual([]);
  });

  it('no fileType: Flume would write SequenceFiles; rxflume writes text, said in a warning', () => {
    const r = imported(agentFile({ sink: ['a1.sinks.k1.type = hdfs', 'a1.sinks.k1.hdfs.path = file:///out'] }));
    expect(r.warnings).toEqual([
      "line 7: a1.sinks.k1.type: no hdfs.fileType: Flume's default is SequenceFile; rxflume writes DataStream (text lines)",
    ]);
  });
});

describe('Kafka sink', () => {
  const kafka = (lines: string[]) => agentFile({ sink: ['a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink', ...lines] });

  it('Flume ≥ 1.7 names; the value is the line, no headers, key only from a `key` header', () => {
    const r = imported(
      kafka([
        'a1.sinks.k1.kafka.bootstrap.servers = b1:9092,b2:9092',
        'a1.sinks.k1.kafka.topic = events',
        'a1.sinks.k1.flumeBatchSize = 250',
        'a1.sinks.k1.kafka.producer.acks = all',
        'a1.sinks.k1.kafka.producer.compression.type = gzip',
        'a1.sinks.k1.kafka.producer.linger.ms = 5',
        'a1.sinks.k1.kafka.producer.max.request.size = 2097152',
        'a1.sinks.k1.kafka.producer.request.timeout.ms = 15000',
        'a1.sinks.k1.kafka.producer.client.id = edge-1',
        'a1.sinks.k1.useFlumeEventFormat = false',
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.sink).toEqual({
      type: 'kafka',
      format: 'text',
      headers: false,
      keyField: '',
      keyHeader: 'key',
      brokers: 'b1:9092,b2:9092',
      topic: 'events',
      batchSize: 250,
      acks: 'all',
      compression: 'gzip',
      batchTimeoutMs: 5,
      requestMaxBytes: 2097152,
      requestTimeoutMs: 15000,
      clientId: 'edge-1',
    });
    expect(r.validate()).toEqual([]);
  });

  it("Flume's defaults: topic default-flume-topic (warned), acks 1, batch 100; --kafka-brokers replaces the file's", () => {
    const r = imported(kafka(['a1.sinks.k1.brokerList = old:9092', 'a1.sinks.k1.kafka.producer.retries = 3']), {
      kafkaBrokers: '127.0.0.1:39092',
    });
    expect(r.errors).toEqual([]);
    expect(r.sink).toMatchObject({ brokers: '127.0.0.1:39092', topic: 'default-flume-topic', acks: 1, batchSize: 100, batchTimeoutMs: 0 });
    expect(r.warnings).toEqual([
      "line 7: a1.sinks.k1.kafka.topic: no topic: Flume's default, default-flume-topic",
      'line 8: a1.sinks.k1.brokerList: old property name (Flume < 1.7), read as kafka.bootstrap.servers',
      'line 8: a1.sinks.k1.brokerList: brokers replaced by --kafka-brokers: 127.0.0.1:39092',
      'line 9: a1.sinks.k1.kafka.producer.retries: producer tuning is not carried over (the rxflume Kafka client has its own settings)',
    ]);
    expect(r.validate()).toEqual([]);
  });

  it('both names set: the ≥ 1.7 one wins, as in Flume', () => {
    const r = imported(
      kafka(['a1.sinks.k1.kafka.bootstrap.servers = new:9092', 'a1.sinks.k1.brokerList = old:9092', 'a1.sinks.k1.kafka.topic = t']),
    );
    expect(r.sink.brokers).toBe('new:9092');
    expect(r.warnings).toEqual(['line 9: a1.sinks.k1.brokerList: kafka.bootstrap.servers is also set and wins (as in Flume)']);
  });
});

describe('logger and file_roll sinks', () => {
  it('logger → the logger sink (maxBytesToLog)', () => {
    const r = imported(agentFile({ sink: ['a1.sinks.k1.type = logger', 'a1.sinks.k1.maxBytesToLog = 64'] }));
    expect(r.errors).toEqual([]);
    expect(r.sink).toEqual({ type: 'logger', maxBytesToLog: 64 });
    expect(r.validate()).toEqual([]);
  });

  it('file_roll → the hdfs sink writing the local layout rooted at sink.directory', () => {
    const r = imported(
      agentFile({
        sink: [
          'a1.sinks.k1.type = file_roll',
          'a1.sinks.k1.sink.directory = /var/flume/out',
          'a1.sinks.k1.sink.rollInterval = 0',
          'a1.sinks.k1.sink.pathManager.extension = log',
          'a1.sinks.k1.sink.pathManager.prefix = app',
          'a1.sinks.k1.sink.serializer = TEXT',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.sink).toEqual({
      type: 'hdfs',
      format: 'text',
      root: '/var/flume/out',
      path: '/',
      rollInterval: 0,
      rollSize: 0,
      rollCount: 0,
      batchSize: 100,
      filePrefix: 'app',
      fileSuffix: '.log',
    });
    expect(r.warnings).toEqual([
      'line 7: a1.sinks.k1.type: file_roll is written by the hdfs sink in its local layout: files are named <prefix>.<agent id>.<counter><suffix> (Flume: <time>-<n>) and carry .tmp while open',
    ]);
    expect(r.validate()).toEqual([]);
  });
});

describe('interceptors', () => {
  it('every supported type, aliases case-insensitive or class names, in order', () => {
    const p = 'a1.sources.r1.interceptors';
    const r = imported(
      agentFile({
        source: [
          'a1.sources.r1.type = spooldir',
          'a1.sources.r1.spoolDir = /in',
          `${p} = ts st ho rf rx sr`,
          `${p}.ts.type = org.apache.flume.interceptor.TimestampInterceptor$Builder`,
          `${p}.ts.headerName = ingest`,
          `${p}.ts.preserveExisting = true`,
          `${p}.st.type = STATIC`,
          `${p}.st.key = dc`,
          `${p}.st.value = seoul`,
          `${p}.ho.type = host`,
          `${p}.ho.hostHeader = agent`,
          `${p}.ho.useIP = false`,
          `${p}.rf.type = regex_filter`,
          `${p}.rf.regex = ^#`,
          `${p}.rf.excludeEvents = true`,
          `${p}.rx.type = regex_extractor`,
          `${p}.rx.regex = ^(\\\\d{14}),([A-Z]\\\\d{4})`,
          `${p}.rx.serializers = t car`,
          `${p}.rx.serializers.t.type = org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer`,
          `${p}.rx.serializers.t.name = timestamp`,
          `${p}.rx.serializers.t.pattern = yyyyMMddHHmmss`,
          `${p}.rx.serializers.car.name = car`,
          `${p}.sr.type = search_replace`,
          `${p}.sr.searchPattern = \\\\s+`,
          `${p}.sr.replaceString = \\u002D`,
          `${p}.sr.charset = UTF-8`,
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.source.interceptors).toEqual([
      { type: 'timestamp', header: 'ingest', preserveExisting: true },
      { type: 'static', key: 'dc', value: 'seoul' },
      { type: 'host', hostHeader: 'agent', useIP: false },
      { type: 'regex_filter', regex: '^#', excludeEvents: true },
      {
        type: 'regex_extractor',
        regex: '^(\\d{14}),([A-Z]\\d{4})',
        serializers: [{ type: 'millis', name: 'timestamp', pattern: 'yyyyMMddHHmmss' }, { name: 'car' }],
      },
      { type: 'search_replace', searchPattern: '\\s+', replaceString: '-', charset: 'UTF-8' },
    ]);
    expect(r.validate()).toEqual([]);
  });

  it("regex_filter without a regex keeps Flume's default '.*'", () => {
    const r = imported(
      agentFile({
        source: [
          ...['a1.sources.r1.type = spooldir', 'a1.sources.r1.spoolDir = /in'],
          'a1.sources.r1.interceptors = f',
          'a1.sources.r1.interceptors.f.type = regex_filter',
        ],
      }),
    );
    expect(r.source.interceptors).toEqual([{ type: 'regex_filter', regex: '.*' }]);
  });
});

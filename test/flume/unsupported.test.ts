/**
 * Unsupported and broken properties are reported with their key and line, exact messages; an
 * import with errors is refused. Files with several agents need --agent.
 */
import { describe, expect, it } from 'vitest';
import { agentFile, CHANNEL, imported, lineOf, SINK, SOURCE } from './helpers.js';

const src = (...lines: string[]) => agentFile({ source: [...SOURCE, ...lines] });
const exec = (command: string) => agentFile({ source: ['a1.sources.r1.type = exec', `a1.sources.r1.command = ${command}`] });
const sink = (...lines: string[]) => agentFile({ sink: lines });
const hdfs = (...lines: string[]) =>
  sink('a1.sinks.k1.type = hdfs', 'a1.sinks.k1.hdfs.path = /out', 'a1.sinks.k1.hdfs.fileType = DataStream', ...lines);
const kafka = (...lines: string[]) =>
  sink(
    'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
    'a1.sinks.k1.kafka.bootstrap.servers = b:9092',
    'a1.sinks.k1.kafka.topic = t',
    ...lines,
  );
const interceptor = (...lines: string[]) => src('a1.sources.r1.interceptors = i1', ...lines);

/**
 * [case, file text, key, message]. The message must read `line N: key: message`, N the line of
 * the key; a missing property is named with the line of another: [key, key of the line].
 */
const CASES: Array<[string, string, string | [string, string], string]> = [
  [
    'unknown source property',
    src('a1.sources.r1.fooBar = 1'),
    'a1.sources.r1.fooBar',
    'unknown or unsupported property of this source (type spooldir)',
  ],
  [
    'unsupported source type',
    agentFile({ source: ['a1.sources.r1.type = avro', 'a1.sources.r1.bind = 0.0.0.0'] }),
    'a1.sources.r1.type',
    'source type "avro" is not supported (spooldir, exec with tail -F, TAILDIR)',
  ],
  [
    'missing spoolDir',
    agentFile({ source: ['a1.sources.r1.type = spooldir'] }),
    ['a1.sources.r1.spoolDir', 'a1.sources.r1.type'],
    'required: the spooling directory',
  ],
  [
    'exec of another program',
    exec('cat /var/log/x.log'),
    'a1.sources.r1.command',
    'rxflume runs no commands: only "tail -F FILE" maps (to the tail source); found "cat"',
  ],
  [
    'exec through a pipe',
    exec('tail -F /x.log | grep car'),
    'a1.sources.r1.command',
    '"tail -F /x.log | grep car" uses the shell (pipes, redirections, variables or globs): rxflume only maps tail -F FILE',
  ],
  [
    'tail without follow',
    exec('tail -n 100 /x.log'),
    'a1.sources.r1.command',
    'tail without -F or -f prints the file and exits: there is nothing to follow',
  ],
  ['tail of two files', exec('tail -F /a.log /b.log'), 'a1.sources.r1.command', 'tail must follow exactly one file (found 2)'],
  [
    'tail skipping lines',
    exec('tail -F -n +5 /a.log'),
    'a1.sources.r1.command',
    'tail -n +5 (skip the first lines) has no rxflume equivalent',
  ],
  ['tail option without equivalent', exec('tail -F -c 100 /a.log'), 'a1.sources.r1.command', 'tail option "-c" has no rxflume equivalent'],
  [
    'TAILDIR file-name regex',
    agentFile({
      source: ['a1.sources.r1.type = TAILDIR', 'a1.sources.r1.filegroups = f1', 'a1.sources.r1.filegroups.f1 = /logs/.*\\\\.log'],
    }),
    'a1.sources.r1.filegroups.f1',
    'a file-name regex is not supported: the tail source follows one named file (one group per file)',
  ],
  [
    'spooldir charset',
    src('a1.sources.r1.inputCharset = ISO-8859-1'),
    'a1.sources.r1.inputCharset',
    'charset ISO-8859-1 is not supported: rxflume carries lines as UTF-8 bytes, unconverted',
  ],
  [
    'spooldir recursive',
    src('a1.sources.r1.recursiveDirectorySearch = true'),
    'a1.sources.r1.recursiveDirectorySearch',
    'subfolders are not read: spool into one folder',
  ],
  [
    'spooldir avro deserializer',
    src('a1.sources.r1.deserializer = AVRO'),
    'a1.sources.r1.deserializer',
    'deserializer AVRO is not supported (rxflume reads lines)',
  ],
  [
    'not a number',
    agentFile({ channel: [...CHANNEL, 'a1.channels.c1.capacity = lots'] }),
    'a1.channels.c1.capacity',
    '"lots" is not a whole number',
  ],
  ['not a boolean', src('a1.sources.r1.fileHeader = yes'), 'a1.sources.r1.fileHeader', '"yes" is not true or false'],
  [
    'multiplexing selector',
    src('a1.sources.r1.selector.type = multiplexing'),
    'a1.sources.r1.selector.type',
    "channel selector multiplexing is not supported: every event goes to all the source's channels (replicating)",
  ],
  [
    'unsupported channel',
    agentFile({ channel: ['a1.channels.c1.type = jdbc'] }),
    'a1.channels.c1.type',
    'channel type "jdbc" is not supported (rxflume has memory and file/disk buffers)',
  ],
  [
    'SequenceFile',
    hdfs('a1.sinks.k1.hdfs.fileType = SequenceFile').replace('a1.sinks.k1.hdfs.fileType = DataStream\n', ''),
    'a1.sinks.k1.hdfs.fileType',
    'fileType SequenceFile is not supported: only DataStream (text lines)',
  ],
  [
    'codeC',
    hdfs('a1.sinks.k1.hdfs.codeC = gzip'),
    'a1.sinks.k1.hdfs.codeC',
    'compressed text output is not supported (Flume refuses codeC with DataStream too)',
  ],
  [
    'inUsePrefix',
    hdfs('a1.sinks.k1.hdfs.inUsePrefix = _'),
    'a1.sinks.k1.hdfs.inUsePrefix',
    'in-use files cannot get a prefix: rxflume marks them with inUseSuffix (default .tmp)',
  ],
  [
    'round',
    hdfs('a1.sinks.k1.hdfs.round = true', 'a1.sinks.k1.hdfs.roundValue = 10'),
    'a1.sinks.k1.hdfs.round',
    'rounding the time escapes down is not supported',
  ],
  [
    'kerberos',
    hdfs('a1.sinks.k1.hdfs.kerberosPrincipal = flume/_HOST@EXAMPLE.COM'),
    'a1.sinks.k1.hdfs.kerberosPrincipal',
    'Kerberos is not supported (WebHDFS user or delegationToken in YAML)',
  ],
  [
    'avro serializer',
    hdfs('a1.sinks.k1.serializer = avro_event'),
    'a1.sinks.k1.serializer',
    'serializer avro_event is not supported: imported sinks write text lines (a YAML config can choose format: avro)',
  ],
  [
    'hdfs path scheme',
    sink('a1.sinks.k1.type = hdfs', 'a1.sinks.k1.hdfs.path = s3a://bucket/x', 'a1.sinks.k1.hdfs.fileType = DataStream'),
    'a1.sinks.k1.hdfs.path',
    'unsupported filesystem s3a:// (webhdfs, swebhdfs, hdfs, file, or a bare path)',
  ],
  [
    'hdfs path escape',
    hdfs().replace('hdfs.path = /out', 'hdfs.path = /out/%Q'),
    'a1.sinks.k1.hdfs.path',
    'unsupported escape "%Q" in "/out/%Q" (supported: %Y %y %m %d %H %M %S %j %s %t %{header} %[localhost] %[IP] %[FQDN] %%) (as rxflume sinks.k1.path)',
  ],
  [
    'Kafka acks 0',
    kafka('a1.sinks.k1.kafka.producer.acks = 0'),
    'a1.sinks.k1.kafka.producer.acks',
    'acks 0 gives no delivery confirmation (events could be lost); use "all" or 1 (as rxflume sinks.k1.acks)',
  ],
  [
    'Kafka Flume event format',
    kafka('a1.sinks.k1.useFlumeEventFormat = true'),
    'a1.sinks.k1.useFlumeEventFormat',
    'the Flume Avro event format is not supported: values are the event body',
  ],
  [
    'Kafka partition header',
    kafka('a1.sinks.k1.partitionIdHeader = p'),
    'a1.sinks.k1.partitionIdHeader',
    'partition choice by header is not supported: partitions follow the key',
  ],
  [
    'Kafka SASL',
    kafka('a1.sinks.k1.kafka.producer.security.protocol = SASL_SSL'),
    'a1.sinks.k1.kafka.producer.security.protocol',
    'TLS/SASL settings are not imported: configure ssl and sasl in a YAML config',
  ],
  [
    'Kafka compression',
    kafka('a1.sinks.k1.kafka.producer.compression.type = lz4'),
    'a1.sinks.k1.kafka.producer.compression.type',
    'must be "none" or "gzip" (as rxflume sinks.k1.compression)',
  ],
  [
    'Kafka without brokers',
    sink('a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink', 'a1.sinks.k1.kafka.topic = t'),
    ['a1.sinks.k1.kafka.bootstrap.servers', 'a1.sinks.k1.type'],
    'required: the Kafka brokers (or pass --kafka-brokers)',
  ],
  [
    'unsupported sink',
    sink('a1.sinks.k1.type = avro', 'a1.sinks.k1.hostname = collector'),
    'a1.sinks.k1.type',
    'sink type "avro" is not supported (hdfs, org.apache.flume.sink.kafka.KafkaSink, logger, file_roll)',
  ],
  [
    'custom interceptor',
    interceptor('a1.sources.r1.interceptors.i1.type = com.acme.Enrich$Builder'),
    'a1.sources.r1.interceptors.i1.type',
    'interceptor type "com.acme.Enrich$Builder" is not supported (supported: timestamp, static, host, regex_filter, regex_extractor, search_replace)',
  ],
  [
    'interceptor without type',
    interceptor('a1.sources.r1.interceptors.i1.regex = x'),
    ['a1.sources.r1.interceptors.i1.type', 'a1.sources.r1.interceptors'],
    'interceptor i1 has no type',
  ],
  [
    'bad regex',
    interceptor('a1.sources.r1.interceptors.i1.type = regex_filter', 'a1.sources.r1.interceptors.i1.regex = ([a-z]'),
    'a1.sources.r1.interceptors.i1.regex',
    'invalid regular expression: Invalid regular expression: /([a-z]/: Unterminated group (as rxflume sources.r1.interceptors.0.regex)',
  ],
  [
    'unknown interceptor option',
    interceptor('a1.sources.r1.interceptors.i1.type = static', 'a1.sources.r1.interceptors.i1.overwrite = true'),
    'a1.sources.r1.interceptors.i1.overwrite',
    'unknown or unsupported property of this source (type spooldir)',
  ],
  [
    'unknown channel named',
    src().replace('a1.sources.r1.channels = c1', 'a1.sources.r1.channels = c9'),
    'a1.sources.r1.channels',
    'no channel named "c9" in a1.channels',
  ],
  [
    'sink without channel',
    agentFile().replace('a1.sinks.k1.channel = c1', ''),
    ['a1.sinks.k1.channel', 'a1.sinks.k1.type'],
    'sink k1 names no channel',
  ],
  [
    'sink groups',
    `${agentFile()}\na1.sinkgroups = g1`,
    'a1.sinkgroups',
    'sink groups (failover, load_balance sink processors) are not supported: give each sink its own channel',
  ],
  [
    'unknown agent property',
    `${agentFile()}\na1.foo = bar`,
    'a1.foo',
    'unknown agent property (expected a1.sources, a1.channels or a1.sinks)',
  ],
  [
    'malformed escape in a value: the property is named',
    src('a1.sources.r1.fileSuffix = \\u00G1'),
    'a1.sources.r1.fileSuffix',
    'malformed unicode escape "\\u00G1" (needs 4 hex digits)',
  ],
];

describe('unsupported or broken properties: exact messages with key and line', () => {
  it.each(CASES)('%s', (_name, text, keys, message) => {
    const [key, lineKey] = typeof keys === 'string' ? [keys, keys] : keys;
    const r = imported(text);
    const line = lineOf(text, lineKey);
    expect(line).toBeGreaterThan(0);
    // Import errors refuse the file; only a clean import goes on to validation.
    const all = [...r.errors, ...(r.errors.length === 0 ? r.validate() : [])];
    expect(all).toContain(`line ${line}: ${key}: ${message}`);
  });

  it('a channel drained by two sinks is refused (Flume splits, rxflume would copy)', () => {
    const text = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1 k2',
      ...SOURCE,
      ...CHANNEL,
      ...SINK,
      'a1.sinks.k2.type = logger',
      'a1.sources.r1.channels = c1',
      'a1.sinks.k1.channel = c1',
      'a1.sinks.k2.channel = c1',
    ].join('\n');
    expect(imported(text).errors).toEqual([
      'line 6: a1.channels.c1.type: channel c1 is drained by several sinks (k1, k2): Flume splits its events among them, rxflume would copy each event to all; give each sink its own channel',
    ]);
  });
});

describe('things Flume ignores are reported as warnings', () => {
  it('unlisted components and interceptors, repeated keys, stray keys', () => {
    const text = [
      agentFile({
        source: [
          ...SOURCE,
          'a1.sources.r1.interceptors = i1',
          'a1.sources.r1.interceptors.i1.type = timestamp',
          'a1.sources.r1.interceptors.i2.type = host',
        ],
      }),
      'a1.sources.r9.type = exec',
      'a1.channels.c1.type = memory',
      'stray.key = 1',
    ].join('\n');
    const r = imported(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      'line 8: a1.sources.r1.interceptors.i2.type: interceptor i2 is not listed in a1.sources.r1.interceptors: ignored, as Flume does',
      'line 9: a1.channels.c1.type: set again on line 14: the last value wins',
      'line 13: a1.sources.r9.type: r9 is not listed in a1.sources: ignored, as Flume does',
      'line 15: stray.key: not a property of agent a1 (or of any agent in this file): ignored, as Flume does',
    ]);
  });
});

describe('names rxflume cannot use as ids', () => {
  it('are made safe (they name files and metrics), with a warning', () => {
    const text = agentFile().replaceAll('r1', 'car@status');
    const r = imported(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      'line 4: a1.sources.car@status.type: "car@status" is not a valid rxflume id (it names files): used as "car_status"',
    ]);
    expect(Object.keys((r.result.config as { sources: object }).sources)).toEqual(['car_status']);
    expect(r.validate()).toEqual([]);
  });
});

describe('files with several agents', () => {
  const two = [agentFile(), agentFile().replaceAll('a1.', 'a2.').replace('/var/spool/in', '/var/spool/two')].join('\n');

  it('without --agent: an error naming them', () => {
    expect(imported(two).errors).toEqual(['(agent): the file holds several agents (a1, a2): choose one with --agent NAME']);
  });

  it('--agent picks one; the other agent’s properties are not reported', () => {
    const r = imported(two, { agent: 'a2' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.source).toMatchObject({ spoolDir: '/var/spool/two' });
    expect(r.result.config.agent).toEqual({ id: 'a2' });
  });

  it('an unknown --agent lists the agents', () => {
    expect(imported(two, { agent: 'a3' }).errors).toEqual(['(agent): no agent named "a3" in this file (agents: a1, a2)']);
  });

  it('a file without agents says what it expected', () => {
    expect(imported('# nothing\n').errors).toEqual(['(agent): no Flume agent found (expected lines like `a1.sources = r1`)']);
  });
});

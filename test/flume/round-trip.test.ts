/**
 * The YAML `import-flume` prints loads to the same config as the Flume file itself, for a file
 * using most of what the importer maps (TAILDIR groups and headers, a file channel, every
 * interceptor including Java replacement syntax, file_roll, a Kafka sink, an hdfs URI).
 */
import { describe, expect, it } from 'vitest';
import { type AgentConfig, parseConfig, parseFlumeConfig } from '../../src/config/load.js';
import { importFlumeConfig } from '../../src/flume/import.js';
import { renderImportedYaml } from '../../src/flume/render-yaml.js';

const TEXT = [
  'a1.sources = t s',
  'a1.channels = c1 c2 c3',
  'a1.sinks = roll kafka hd',
  'a1.sources.t.type = TAILDIR',
  'a1.sources.t.filegroups = f1 f2',
  'a1.sources.t.filegroups.f1 = /var/log/app/one\\\\.log',
  'a1.sources.t.filegroups.f2 = /var/log/app/two.log',
  'a1.sources.t.headers.f1.logType = one',
  'a1.sources.t.skipToEnd = true',
  'a1.sources.t.channels = c1',
  'a1.sources.t.interceptors = ts sr',
  'a1.sources.t.interceptors.ts.type = timestamp',
  'a1.sources.t.interceptors.sr.type = search_replace',
  'a1.sources.t.interceptors.sr.searchPattern = (?<d>\\\\d+)\\\\s*$',
  'a1.sources.t.interceptors.sr.replaceString = \\\\$${d} [$0] $1',
  'a1.sources.s.type = spooldir',
  'a1.sources.s.spoolDir = /var/spool/in',
  'a1.sources.s.ignorePattern = .*\\\\.tmp',
  'a1.sources.s.channels = c2 c3',
  'a1.sources.s.interceptors = h x st',
  'a1.sources.s.interceptors.h.type = host',
  'a1.sources.s.interceptors.x.type = regex_extractor',
  'a1.sources.s.interceptors.x.regex = ^(\\\\d{14}),(\\\\w+)',
  'a1.sources.s.interceptors.x.serializers = a b',
  'a1.sources.s.interceptors.x.serializers.a.type = org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer',
  'a1.sources.s.interceptors.x.serializers.a.name = timestamp',
  'a1.sources.s.interceptors.x.serializers.a.pattern = yyyyMMddHHmmss',
  'a1.sources.s.interceptors.x.serializers.b.name = car',
  'a1.sources.s.interceptors.st.type = static',
  'a1.sources.s.interceptors.st.key = dc',
  'a1.sources.s.interceptors.st.value = seoul: east # not a comment',
  'a1.channels.c1.type = memory',
  'a1.channels.c1.capacity = 5000',
  'a1.channels.c2.type = file',
  'a1.channels.c2.dataDirs = /var/lib/rxflume/c2',
  'a1.channels.c3.type = memory',
  'a1.sinks.roll.type = file_roll',
  'a1.sinks.roll.channel = c1',
  'a1.sinks.roll.sink.directory = /var/out',
  'a1.sinks.kafka.type = org.apache.flume.sink.kafka.KafkaSink',
  'a1.sinks.kafka.channel = c2',
  'a1.sinks.kafka.kafka.bootstrap.servers = k1:9092,k2:9092',
  'a1.sinks.kafka.kafka.topic = events',
  'a1.sinks.kafka.kafka.producer.acks = all',
  'a1.sinks.hd.type = hdfs',
  'a1.sinks.hd.channel = c3',
  'a1.sinks.hd.hdfs.path = hdfs://nn.example:8020/flume/%{car}/%Y-%m-%d/%H',
  'a1.sinks.hd.hdfs.fileType = DataStream',
  'a1.sinks.hd.hdfs.rollSize = 0',
  '',
].join('\n');

/** Everything a loaded config holds except the file name. */
const content = (config: AgentConfig) =>
  JSON.parse(
    JSON.stringify({
      ...config,
      file: undefined,
      sources: config.sources.map((s) => ({ ...s, registration: s.registration.type })),
      sinks: config.sinks.map((s) => ({ ...s, registration: s.registration.type })),
    }),
  );

describe('import-flume output round-trips', () => {
  it('its YAML loads to the same config as the .conf', () => {
    const result = importFlumeConfig(TEXT);
    expect(result.errors).toEqual([]);
    const yaml = renderImportedYaml(result, 'a.conf');
    expect(content(parseConfig(yaml, 'x', {}))).toEqual(content(parseFlumeConfig(TEXT, 'x', {})));
  });
});

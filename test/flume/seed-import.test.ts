/**
 * The seed's SmartCar_Agent.conf (as the pilot ran it, old Kafka property names, and the same
 * file with Flume ≥ 1.7 names) imports into the pipeline config/smartcar.yaml describes: the same
 * sources, interceptor chain, buffers, HDFS layout and topic. The only differences are the ones
 * the YAML chooses on purpose (Avro validation, a car-number key, acks all, larger Kafka writes,
 * extra headers on the driving path), listed here exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, parseFlumeConfig } from '../../src/config/load.js';
import { importFlumeConfig } from '../../src/flume/import.js';
import { renderImportedYaml } from '../../src/flume/render-yaml.js';
import { formatImportIssue } from '../../src/flume/report.js';
import { interceptorTypes } from '../../src/interceptors/registry.js';
import { PILOT_CONFIG } from '../support/pilot.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/flume/${name}`, import.meta.url), 'utf8');
const SEED = fixture('SmartCar_Agent.conf');
const SEED_17 = fixture('SmartCar_Agent.kafka-1.7.conf');
const DATA = '/srv/pilot';
const BROKERS = '10.0.0.1:9092';
const ENV = { RXFLUME_HDFS_URL: `file://${DATA}/hdfs`, RXFLUME_KAFKA_BROKERS: BROKERS };

/** The seed with its /home/pilot-pjt/working folders moved to DATA (what the run test does too). */
const relocated = (text: string) => text.replaceAll('/home/pilot-pjt/working', DATA);

type Flat = Record<string, unknown>;
function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}

/** Every option of a loaded config with defaults applied, under YAML-config ids. */
function normalized(config: ReturnType<typeof parseConfig>, ids: Record<string, string>): Flat {
  const out: Flat = {};
  const id = (name: string) => ids[name] ?? name;
  for (const s of config.sources) {
    const { interceptors, ...common } = s.common;
    flatten({ ...common, sinks: common.sinks.map(id) }, `sources.${id(s.id)}`, out);
    flatten(s.options, `sources.${id(s.id)}`, out);
    s.interceptors.forEach((i, n) => {
      flatten({ type: i.type, ...interceptorTypes[i.type]?.configSchema.parse(i.options) }, `sources.${id(s.id)}.interceptors.${n}`, out);
    });
  }
  for (const k of config.sinks) {
    flatten(k.common, `sinks.${id(k.id)}`, out);
    flatten(k.options, `sinks.${id(k.id)}`, out);
  }
  return out;
}

function differences(a: Flat, b: Flat): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = [a[key], b[key]];
  }
  return out;
}

const IDS = {
  SmartCarInfo_SpoolSource: 'status',
  DriverCarInfo_TailSource: 'driving',
  SmartCarInfo_HdfsSink: 'hdfs',
  DriverCarInfo_KafkaSink: 'driving_kafka',
};

/** What config/smartcar.yaml chooses differently from the seed, on purpose: [yaml, imported seed]. */
const INTENDED_DIFFERENCES = {
  'sources.status.schema': ['smartcar.CarStatus', undefined],
  'sources.driving.schema': ['smartcar.DrivingEvent', undefined],
  'sources.driving.pollIntervalMs': [10, 250],
  'sources.driving.interceptors.0.type': ['timestamp', 'regex_filter'],
  'sources.driving.interceptors.0.header': ['timestamp', undefined],
  'sources.driving.interceptors.0.preserveExisting': [false, undefined],
  'sources.driving.interceptors.0.regex': [undefined, '^\\d{14}'],
  'sources.driving.interceptors.0.excludeEvents': [undefined, false],
  'sources.driving.interceptors.1.type': ['static', undefined],
  'sources.driving.interceptors.1.key': ['logType', undefined],
  'sources.driving.interceptors.1.value': ['driver-realtime-log', undefined],
  'sources.driving.interceptors.1.preserveExisting': [true, undefined],
  'sources.driving.interceptors.2.type': ['regex_filter', undefined],
  'sources.driving.interceptors.2.regex': ['^\\d{14}', undefined],
  'sources.driving.interceptors.2.excludeEvents': [false, undefined],
  'sinks.hdfs.requestTimeoutMs': [30000, 600000],
  // config/smartcar.yaml names its filesystem from RXFLUME_HDFS_URL/USER; the import resolves
  // the same URL into `root` (the same folder) and has no user.
  'sinks.hdfs.url': ['file:///srv/pilot/hdfs', undefined],
  'sinks.hdfs.user': ['hadoop', undefined],
  'sinks.driving_kafka.keyField': ['car_number', ''],
  'sinks.driving_kafka.keyHeader': [undefined, 'key'],
  'sinks.driving_kafka.acks': [-1, 1],
  'sinks.driving_kafka.batchSize': [10000, 1000],
  'sinks.driving_kafka.batchTimeoutMs': [5, 0],
};

const SEED_WARNINGS = [
  "line 21: SmartCar_Agent.sources.SmartCarInfo_SpoolSource.interceptors.collectDayInterceptor.type: the seed's custom interceptor is mapped to append_field (',' + yyyyMMdd): the date is taken from the timestamp header when an earlier interceptor set it, else from the clock (the Java class always used the clock)",
  'line 29: SmartCar_Agent.channels.SmartCarInfo_Channel.transactionCapacity: rxflume has no channel transactions: the source batchSize and sink batchSize size the batches',
  'line 44: SmartCar_Agent.sinks.SmartCarInfo_HdfsSink.hdfs.threadsPoolSize: rxflume writes from one event loop; no thread pools to size',
  'line 52: SmartCar_Agent.sources.DriverCarInfo_TailSource.command: tail starts with the last 10 lines; rxflume reads the file from its beginning on the first run, then resumes from its checkpoint',
  'line 53: SmartCar_Agent.sources.DriverCarInfo_TailSource.restart: the tail source never exits, so there is nothing to restart',
  'line 70: SmartCar_Agent.channels.DriverCarInfo_Channel.transactionCapacity: rxflume has no channel transactions: the source batchSize and sink batchSize size the batches',
];

describe('the seed SmartCar_Agent.conf', () => {
  const yaml = normalized(parseConfig(readFileSync(PILOT_CONFIG, 'utf8'), PILOT_CONFIG, { RXFLUME_DATA: DATA, ...ENV }), {});

  it.each([
    ['old Kafka property names (as the pilot ran it)', SEED],
    ['Flume ≥ 1.7 Kafka property names', SEED_17],
  ])('%s → the pipeline of config/smartcar.yaml, except the documented choices', (_name, text) => {
    const imported = normalized(parseFlumeConfig(relocated(text), 'SmartCar_Agent.conf', ENV), IDS);
    expect(differences(yaml, imported)).toEqual(INTENDED_DIFFERENCES);
  });

  it('imports without errors; the warnings are exactly the harmless and approximated properties', () => {
    const result = importFlumeConfig(SEED, { hdfsUrl: 'webhdfs://namenode:9870', kafkaBrokers: BROKERS });
    expect(result.errors).toEqual([]);
    const brokerLine =
      'line 63: SmartCar_Agent.sinks.DriverCarInfo_KafkaSink.brokerList: old property name (Flume < 1.7), read as kafka.bootstrap.servers';
    const old = (line: number, key: string, now: string) =>
      `line ${line}: SmartCar_Agent.sinks.DriverCarInfo_KafkaSink.${key}: old property name (Flume < 1.7), read as ${now}`;
    expect(result.warnings.map(formatImportIssue)).toEqual([
      ...SEED_WARNINGS.slice(0, 4),
      SEED_WARNINGS[4],
      old(62, 'topic', 'kafka.topic'),
      brokerLine,
      'line 63: SmartCar_Agent.sinks.DriverCarInfo_KafkaSink.brokerList: brokers replaced by --kafka-brokers: 10.0.0.1:9092',
      old(64, 'requiredAcks', 'kafka.producer.acks'),
      old(65, 'batchSize', 'flumeBatchSize'),
      SEED_WARNINGS[5],
    ]);
    const result17 = importFlumeConfig(SEED_17, { hdfsUrl: 'webhdfs://namenode:9870' });
    expect(result17.warnings.map(formatImportIssue)).toEqual(SEED_WARNINGS);
    expect(result17.config.sinks).toMatchObject({
      SmartCarInfo_HdfsSink: { url: 'webhdfs://namenode:9870', path: '/pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d' },
      DriverCarInfo_KafkaSink: { brokers: 'server02.hadoop.com:9092', topic: 'SmartCar-Topic', acks: 1, batchSize: 1000 },
    });
  });

  it('the printed YAML loads to the same config as the Flume file itself', () => {
    const result = importFlumeConfig(relocated(SEED), { hdfsUrl: ENV.RXFLUME_HDFS_URL, kafkaBrokers: BROKERS });
    const text = renderImportedYaml(result, 'SmartCar_Agent.conf');
    expect(text.split('\n').slice(0, 6)).toEqual([
      '# rxflume config imported from SmartCar_Agent.conf (Flume agent SmartCar_Agent) by `rxflume import-flume`.',
      "# It keeps Flume's output bytes: HDFS files hold the lines (DataStream), Kafka values are the lines",
      '# (no key unless a `key` header is set). Add `schema:` to a source to validate records as Avro.',
      '#',
      '# Warnings (11):',
      `#   ${SEED_WARNINGS[0]}`,
    ]);
    const fromYaml = normalized(parseConfig(text, 'imported.yaml', {}), IDS);
    const fromConf = normalized(parseFlumeConfig(relocated(SEED), 'SmartCar_Agent.conf', ENV), IDS);
    expect(fromYaml).toEqual(fromConf);
  });

  it('bare hdfs.path without a default filesystem: the local layout under ./data/hdfs, said in a warning', () => {
    const config = parseFlumeConfig(SEED, 'SmartCar_Agent.conf', {});
    const hdfs = config.sinks.find((s) => s.id === 'SmartCarInfo_HdfsSink')?.options as { root: string; url?: string };
    expect(hdfs.root).toBe('./data/hdfs');
    expect(hdfs.url).toBeUndefined();
    const warnings: string[] = [];
    parseFlumeConfig(SEED, 'SmartCar_Agent.conf', {}, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toContain(
      'line 33: SmartCar_Agent.sinks.SmartCarInfo_HdfsSink.hdfs.path: a bare hdfs.path goes to the local layout under ./data/hdfs; for a cluster pass --hdfs-url webhdfs://namenode:9870 (or set RXFLUME_HDFS_URL)',
    );
  });
});

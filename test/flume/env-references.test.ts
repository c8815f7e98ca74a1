/**
 * `${NAME}` in a Flume value (Flume substitutes environment variables when started with
 * EnvVarResolverProperties): `run -c x.conf` and `run -c` on the YAML that import-flume printed
 * must load the same config, with the variable substituted, and say so in a warning.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flume and Java text with ${NAME} written literally
import { describe, expect, it } from 'vitest';
import { parseConfig, parseFlumeConfig } from '../../src/config/load.js';
import { importFlumeConfig } from '../../src/flume/import.js';
import { renderImportedYaml } from '../../src/flume/render-yaml.js';
import { formatImportIssue } from '../../src/flume/report.js';
import { agentFile } from './helpers.js';

const TEXT = agentFile({
  source: ['a1.sources.r1.type = spooldir', 'a1.sources.r1.spoolDir = ${SPOOL_DIR}/in'],
  sink: ['a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink', 'a1.sinks.k1.kafka.bootstrap.servers = ${KAFKA_BROKERS}'],
});
const ENV = { SPOOL_DIR: '/data/spool', KAFKA_BROKERS: 'kafka1:9092' };

const options = (config: ReturnType<typeof parseConfig>) => ({
  spoolDir: (config.sources[0]?.options as { spoolDir?: string } | undefined)?.spoolDir,
  brokers: (config.sinks[0]?.options as { brokers?: unknown } | undefined)?.brokers,
});

describe('${NAME} in a Flume value', () => {
  it('the .conf and the printed YAML load the same config, the variables substituted', () => {
    const fromConf = options(parseFlumeConfig(TEXT, 'a.conf', ENV));
    const result = importFlumeConfig(TEXT);
    expect(result.errors).toEqual([]);
    const fromYaml = options(parseConfig(renderImportedYaml(result, 'a.conf'), 'a.yaml', ENV));
    expect(fromConf).toEqual(fromYaml);
    expect(fromConf.spoolDir).toBe('/data/spool/in');
  });

  it('each reference is reported with its key and line', () => {
    const warnings = importFlumeConfig(TEXT).warnings.map(formatImportIssue);
    expect(warnings).toContain(
      'line 5: a1.sources.r1.spoolDir: ${SPOOL_DIR} is replaced by that environment variable when the config loads (Flume does so when started with EnvVarResolverProperties)',
    );
    expect(warnings).toContain(
      'line 8: a1.sinks.k1.kafka.bootstrap.servers: ${KAFKA_BROKERS} is replaced by that environment variable when the config loads (Flume does so when started with EnvVarResolverProperties)',
    );
  });

  it('an unset variable fails the .conf load, told as the Flume key and line', () => {
    expect(() => parseFlumeConfig(TEXT, 'a.conf', { KAFKA_BROKERS: 'k:1' })).toThrow(
      'line 5: a1.sources.r1.spoolDir: environment variable SPOOL_DIR is not set and has no default (${SPOOL_DIR:-default}) (as rxflume sources.r1.spoolDir)',
    );
  });
});

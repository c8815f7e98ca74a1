/** The CLI as a user runs it: help, validate (ok and broken), run + SIGTERM drain. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from '../support/cli.js';
import { PILOT_CONFIG } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

const FLUME_EXAMPLE = join(PILOT_CONFIG, '..', 'flume', 'SmartCar_Agent.conf');

describe('rxflume CLI', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    killAll();
    await cleanup();
  });

  it('--help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run \[options\]/);
    expect(r.stdout).toMatch(/validate \[options\]/);
  });

  it('validate accepts the pilot config', async () => {
    const r = await runCli(['validate', '-c', PILOT_CONFIG]);
    expect(r.stdout).toBe(`ok: ${PILOT_CONFIG}: 2 source(s), 2 sink(s)\n`);
    expect(r.code).toBe(0);
  });

  it('validate lists every problem and exits 2', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'bad.yaml');
    writeFileSync(file, 'sources:\n  a: { type: tail, sinks: [nope] }\nsinks:\n  out: { type: hdfs, path: /x, rollSize: -1 }\n');
    const r = await runCli(['validate', '-c', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid config ${file}:`);
    expect(r.stderr).toContain('sinks.out.rollSize:');
    expect(r.stderr).toContain('sources.a.path: required: the file to follow');
    expect(r.stderr).toContain('sources.a.sinks[0]: no sink named "nope" (defined: out)');
  });

  it('--hdfs-url and --kafka-brokers reach the config (YAML reads them as RXFLUME_HDFS_URL/KAFKA_BROKERS, a Flume file too)', async () => {
    const yaml = await runCli(['validate', '-c', PILOT_CONFIG, '--hdfs-url', 'ftp://x', '--kafka-brokers', 'nohostport']);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain('sinks.hdfs.url: unsupported scheme "ftp:"');
    expect(yaml.stderr).toContain('sinks.driving_kafka.brokers: "nohostport" is not host:port');
    const flume = await runCli(['validate', '-c', FLUME_EXAMPLE, '--hdfs-url', 'ftp://x']);
    expect(flume.code).toBe(2);
    expect(flume.stderr).toMatch(
      /line \d+: SmartCar_Agent\.sinks\.SmartCarInfo_HdfsSink\.hdfs\.path: default filesystem ftp:\/\/x: unsupported scheme/,
    );
    const ok = await runCli([
      'validate',
      '-c',
      PILOT_CONFIG,
      '--hdfs-url',
      'webhdfs://namenode:9870',
      '--kafka-brokers',
      'k1:9092,k2:9092',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('validate names a missing file', async () => {
    const r = await runCli(['validate', '-c', '/nonexistent/agent.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read config \/nonexistent\/agent\.yaml/);
  });

  it('simulate status writes a complete day into the spool folder, or names a bad option', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const spool = join(t.dir, 'spool');
    const r = await runCli(['simulate', 'status', '--date', '20160101', '--cars', '3', '--spool', spool, '--work', join(t.dir, 'work')]);
    expect(r.code).toBe(0);
    const text = readFileSync(join(spool, 'SmartCarStatusInfo_20160101.txt'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3 * 21_601 + 3);
    expect(lines.filter((l) => l.startsWith('SmartCar Status Information'))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^20160101240000,[A-Z]0003,/);
    expect(readdirSync(join(t.dir, 'work'))).toEqual([]);
    const bad = await runCli(['simulate', 'status', '--date', '2016-01-01', '--spool', spool]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('date must be yyyyMMdd, got "2016-01-01"');
  });

  it('run drains on SIGTERM and exits 0, logging JSON on stderr', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const agent = startCli(['run', '-c', PILOT_CONFIG], { env: { RXFLUME_DATA: t.dir } });
    await waitFor(() => agent.stderr().includes('agent started'), { what: 'the agent to start' });
    agent.child.kill('SIGTERM');
    const { code } = await agent.exit;
    expect(code).toBe(0);
    const logs = agent
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toContain('agent stopped');
  });
});

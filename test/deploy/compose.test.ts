/**
 * deploy/compose/docker-compose.yml, validated without Docker: it parses (no duplicate keys),
 * every image is pinned, the services find each other (broker and WebHDFS addresses the agent
 * gets are ones Kafka advertises and the namenode serves), the agent's env names are the ones its
 * config reads and the config loads with them, mounted files exist, health checks gate the
 * start order, the simulators' commands are real CLI options writing where the config reads,
 * and Prometheus' config passes `promtool check config` laid out as mounted.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { type AgentConfig, parseConfig } from '../../src/config/load.js';
import { tempDir } from '../support/wait.js';
import { envNamesRead, imageFacts, isPinned, REPO, readYaml, type YamlMap } from './deploy-support.js';

const DIR = join(REPO, 'deploy', 'compose');
const FILE = join(DIR, 'docker-compose.yml');
const compose = readYaml(FILE);
const services = compose.services as Record<string, YamlMap>;
const image = imageFacts();
const service = (name: string): YamlMap => {
  const s = services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries((service(name).environment ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));

/** `src:dst[:mode]` volume entries of a service, bind mounts resolved against the compose folder. */
function mounts(name: string): { source: string; target: string; bind: boolean; readOnly: boolean }[] {
  return ((service(name).volumes ?? []) as string[]).map((v) => {
    const [source, target, mode] = v.split(':') as [string, string, string | undefined];
    const bind = source.startsWith('.') || source.startsWith('/');
    return { source: bind ? resolve(DIR, source) : source, target, bind, readOnly: mode === 'ro' };
  });
}

function mountedAt(name: string, target: string): string {
  const m = mounts(name).find((x) => x.target === target);
  if (!m?.bind) throw new Error(`${name}: nothing bind-mounted at ${target}`);
  return m.source;
}

function durationSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unreadable duration ${text}`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[m[2] as string]!;
}

describe('docker-compose.yml', () => {
  it('has the stack: Kafka, HDFS namenode + datanode, agent, simulators, Prometheus, Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['agent', 'datanode', 'grafana', 'kafka', 'namenode', 'prometheus', 'simulate-driving', 'simulate-status'].sort(),
    );
    for (const key of Object.keys(compose))
      expect(['name', 'services', 'volumes', 'networks'].includes(key) || key.startsWith('x-'), key).toBe(true);
  });

  it('pins every image by tag; the agent image is built from the Dockerfile with the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const [name, s] of Object.entries(services)) {
      expect(isPinned(String(s.image)), `${name}: ${String(s.image)}`).toBe(true);
      if (s.build) {
        const build = s.build as { context: string; dockerfile: string };
        expect(existsSync(join(resolve(DIR, build.context), build.dockerfile)), name).toBe(true);
        expect(s.image).toBe(`rxflume:${pkg.version}`);
      }
    }
    expect(String(service('kafka').image)).toMatch(/^apache\/kafka:3\./);
    expect(service('namenode').image).toMatch(/^apache\/hadoop:/);
    expect(service('datanode').image).toBe(service('namenode').image);
  });

  it('every bind-mounted file or folder exists; every named volume is declared', () => {
    const declared = Object.keys((compose.volumes ?? {}) as YamlMap);
    for (const name of Object.keys(services)) {
      for (const m of mounts(name)) {
        if (m.bind) expect(existsSync(m.source), `${name}: ${m.source}`).toBe(true);
        else expect(declared, `${name}: volume ${m.source}`).toContain(m.source);
      }
      for (const f of (services[name]?.env_file ?? []) as string[]) expect(existsSync(resolve(DIR, f)), `${name}: ${f}`).toBe(true);
    }
  });

  it('runs Kafka in KRaft mode, advertising the address the agent is given', () => {
    const k = env('kafka');
    expect(k.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(k).some((n) => n.includes('ZOOKEEPER'))).toBe(false);
    const [voterId, voterAddress] = (k.KAFKA_CONTROLLER_QUORUM_VOTERS as string).split('@') as [string, string];
    expect(voterId).toBe(k.KAFKA_NODE_ID);
    expect(k.KAFKA_LISTENERS).toContain(`${k.KAFKA_CONTROLLER_LISTENER_NAMES}://:${voterAddress.split(':')[1]}`);
    const advertised = (k.KAFKA_ADVERTISED_LISTENERS as string).split(',').map((l) => l.replace(/^[A-Z_]+:\/\//, ''));
    for (const broker of (env('agent').RXFLUME_KAFKA_BROKERS as string).split(',')) expect(advertised).toContain(broker);
    expect(service('kafka').healthcheck).toBeDefined();
  });

  it('runs HDFS with WebHDFS at the URL the agent is given', () => {
    const hadoopEnv = readFileSync(resolve(DIR, (service('namenode').env_file as string[])[0] as string), 'utf8');
    expect(hadoopEnv).toMatch(/^CORE-SITE\.XML_fs\.defaultFS=hdfs:\/\/namenode:8020$/m);
    expect(hadoopEnv).toMatch(/^HDFS-SITE\.XML_dfs\.webhdfs\.enabled=true$/m);
    expect(service('namenode').command).toEqual(['hdfs', 'namenode']);
    expect(service('datanode').command).toEqual(['hdfs', 'datanode']);
    const url = new URL(env('agent').RXFLUME_HDFS_URL as string);
    expect(url.protocol).toBe('webhdfs:');
    expect(url.hostname).toBe(service('namenode').hostname);
    expect(service('namenode').ports).toContain(`${url.port}:${url.port}`);
  });

  describe('agent', () => {
    let config: AgentConfig;
    const configFile = () => mountedAt('agent', image.configPath);

    beforeAll(() => {
      config = parseConfig(readFileSync(configFile(), 'utf8'), configFile(), { ...image.env, ...env('agent') });
    });

    it('mounts a config at the path the image runs, read-only, and sets only env names that config reads', () => {
      expect(mounts('agent').find((m) => m.target === image.configPath)?.readOnly).toBe(true);
      const read = envNamesRead(readFileSync(configFile(), 'utf8'));
      for (const name of Object.keys(env('agent'))) expect(read, name).toContain(name);
      for (const name of ['RXFLUME_KAFKA_BROKERS', 'RXFLUME_HDFS_URL', 'RXFLUME_AGENT_ID']) expect(env('agent')).toHaveProperty(name);
    });

    it('its config loads with the compose env: WebHDFS, the compose brokers, data on the image volume', () => {
      const hdfs = config.sinks.find((s) => s.id === 'hdfs')?.options as { url: string; user: string };
      expect(hdfs.url).toBe(env('agent').RXFLUME_HDFS_URL);
      expect(hdfs.user).toBe(env('agent').RXFLUME_HDFS_USER);
      const kafka = config.sinks.find((s) => s.id === 'driving_kafka')?.options as { brokers: unknown };
      expect(JSON.stringify(kafka.brokers)).toContain(env('agent').RXFLUME_KAFKA_BROKERS);
      expect(config.agent.id).toBe(env('agent').RXFLUME_AGENT_ID);
      expect(config.agent.stateDir.startsWith(`${image.env.RXFLUME_DATA}/`)).toBe(true);
      expect(mounts('agent').map((m) => m.target)).toContain(image.env.RXFLUME_DATA);
    });

    it('mounts the pilot config itself, config/smartcar.yaml (one config for every way to run it)', () => {
      expect(configFile()).toBe(join(REPO, 'config', 'smartcar.yaml'));
    });

    it('publishes the metrics port, waits for healthy Kafka and HDFS, and lets a drain finish', () => {
      expect(service('agent').ports).toContain(`${image.metricsPort}:${image.metricsPort}`);
      const deps = service('agent').depends_on as Record<string, { condition: string }>;
      for (const dep of ['kafka', 'namenode']) {
        expect(deps[dep]?.condition).toBe('service_healthy');
        expect(service(dep).healthcheck).toBeDefined();
      }
      // A drain takes at most twice drainTimeoutMs (src/core/agent.ts).
      expect(durationSeconds(String(service('agent').stop_grace_period))).toBeGreaterThanOrEqual((2 * config.agent.drainTimeoutMs) / 1000);
      expect(service('agent').read_only).toBe(true);
    });

    it('simulators run real CLI commands that write where the agent reads', () => {
      const program = buildProgram();
      const simulate = program.commands.find((c) => c.name() === 'simulate') as Command;
      const options = (argv: readonly string[]) => {
        const sub = simulate.commands.find((c) => c.name() === argv[1]);
        expect(sub, argv.join(' ')).toBeDefined();
        const known = new Set((sub as Command).options.map((o) => o.long));
        const given: Record<string, string> = {};
        for (let i = 2; i < argv.length; i += 2) {
          expect(known, argv[i]).toContain(argv[i]);
          given[argv[i] as string] = argv[i + 1] as string;
        }
        for (const o of (sub as Command).options) if (o.mandatory) expect(given, o.long).toHaveProperty(o.long as string);
        return given;
      };
      const status = options(service('simulate-status').command as string[]);
      const driving = options(service('simulate-driving').command as string[]);
      const sourceOptions = (id: string) => config.sources.find((s) => s.id === id)?.options as Record<string, string>;
      expect(status['--spool']).toBe(sourceOptions('status').spoolDir);
      expect(driving['--file']).toBe(sourceOptions('driving').path);
      for (const sim of ['simulate-status', 'simulate-driving']) {
        expect(service(sim).image).toBe(service('agent').image);
        expect(mounts(sim).map((m) => m.source)).toContain(mounts('agent').find((m) => m.target === image.env.RXFLUME_DATA)?.source);
      }
    });
  });

  describe('Prometheus and Grafana', () => {
    let tmp: { dir: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      tmp = await tempDir('rxflume-compose-');
    });
    afterAll(() => tmp.cleanup());

    it('Prometheus scrapes the agent as job rxflume with the alert rules, and promtool accepts the config as mounted', () => {
      const prom = readYaml(mountedAt('prometheus', '/etc/prometheus/prometheus.yml'));
      const jobs = prom.scrape_configs as { job_name: string; static_configs: { targets: string[] }[] }[];
      const job = jobs.find((j) => j.job_name === 'rxflume');
      expect(job?.static_configs.flatMap((s) => s.targets)).toContain(`agent:${image.metricsPort}`);
      // Lay the mounted files out as the container sees them under /etc/prometheus, then check.
      const etc = join(tmp.dir, 'etc-prometheus');
      mkdirSync(etc);
      for (const m of mounts('prometheus').filter((x) => x.bind && dirname(x.target) === '/etc/prometheus')) {
        copyFileSync(m.source, join(etc, basename(m.target)));
      }
      for (const rules of prom.rule_files as string[]) expect(existsSync(join(etc, rules)), rules).toBe(true);
      const out = execFileSync('promtool', ['check', 'config', join(etc, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
    });

    it('Grafana is provisioned from grafana/: datasource at the Prometheus service, dashboards where the provider reads', () => {
      const provisioning = mounts('grafana').filter((m) => m.bind);
      expect(mountedAt('grafana', '/etc/grafana/provisioning/datasources')).toBe(join(REPO, 'grafana', 'provisioning', 'datasources'));
      const providerDir = mountedAt('grafana', '/etc/grafana/provisioning/dashboards');
      const provider = readYaml(join(providerDir, 'rxflume.yaml')) as { providers: { options: { path: string } }[] };
      const dashboards = provisioning.find((m) => m.target === provider.providers[0]?.options.path);
      expect(dashboards?.source).toBe(join(REPO, 'grafana', 'dashboards'));
      const datasources = readYaml(join(REPO, 'grafana', 'provisioning', 'datasources', 'rxflume.yaml')) as {
        datasources: { url: string }[];
      };
      const url = new URL(datasources.datasources[0]?.url as string);
      expect(Object.keys(services)).toContain(url.hostname);
      expect(service(url.hostname).ports).toContain(`${url.port}:${url.port}`);
      expect((service('grafana').depends_on as Record<string, { condition: string }>).prometheus?.condition).toBe('service_healthy');
    });
  });
});

/**
 * Acceptance for the dashboard and the alert rules against a real Prometheus (Debian's
 * `prometheus`): `rxflume run` on the pilot config (driving sink on the Kafka mock broker) with
 * data flowing, Prometheus scraping it every second with deploy/prometheus/alerts.yml loaded;
 * then every PromQL expression of grafana/dashboards/*.json and of the alert rules is evaluated
 * through the HTTP API and must return data (a failure names the panel or alert). Also: the live
 * exposition passes `promtool check metrics`, the rules `promtool check rules`, every rule
 * evaluates healthy inside Prometheus, and /healthz, /readyz answer 200.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { STATUS_HEADER } from '../../src/simulator/status.js';
import { type CliProcess, killAll, startCli } from '../support/cli.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { PILOT_CONFIG } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARDS = join(ROOT, 'grafana', 'dashboards');
const ALERTS = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');

interface Query {
  readonly what: string;
  readonly expr: string;
}

/** Grafana variables → values Prometheus accepts (the `All` choice for template variables). */
function concrete(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m')
    .replace(/\$\{?instance\}?/g, '.*');
}

function dashboardQueries(): Query[] {
  const out: Query[] = [];
  for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
    const dash = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as {
      panels: Array<{ title: string; type: string; targets?: Array<{ expr: string; refId: string }> }>;
    };
    for (const panel of dash.panels) {
      for (const t of panel.targets ?? []) out.push({ what: `${file}: panel "${panel.title}" (${t.refId})`, expr: concrete(t.expr) });
    }
  }
  return out;
}

/** Alert expressions are `<signal> <op> <threshold>`: the whole must evaluate, the signal must have data. */
function alertQueries(): { rules: Query[]; signals: Query[] } {
  const doc = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const rules: Query[] = [];
  const signals: Query[] = [];
  for (const rule of doc.groups.flatMap((g) => g.rules)) {
    rules.push({ what: `alert ${rule.alert}`, expr: rule.expr });
    const m = /^([\s\S]*?)\s*(?:>=|<=|==|!=|>|<)\s*[-+0-9.e]+\s*$/.exec(rule.expr.trim());
    if (!m?.[1]) throw new Error(`alert ${rule.alert}: expr must be "<signal> <comparison> <number>", got ${rule.expr}`);
    signals.push({ what: `alert ${rule.alert} (signal)`, expr: m[1] });
  }
  return { rules, signals };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function requireTool(name: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${name} is not installed: apt-get install prometheus (it ships prometheus and promtool)`);
}

describe('Prometheus: dashboard and alert queries on a live pilot', () => {
  let t: { dir: string; cleanup: () => Promise<void> } | undefined;
  let broker: MockBroker | undefined;
  let cli: CliProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let metricsUrl = '';
  let feeder: NodeJS.Timeout | undefined;

  async function promQuery(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  }

  beforeAll(async () => {
    requireTool('prometheus');
    requireTool('promtool');
    t = await tempDir('rxflume-prom-');
    const dir = t.dir;
    broker = await startMockBroker();
    mkdirSync(join(dir, 'car-batch-log'), { recursive: true });
    mkdirSync(join(dir, 'driver-realtime-log'), { recursive: true });
    const driving = join(dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    writeFileSync(driving, `${DRIVING_HEADER}\n`);

    cli = startCli(['run', '-c', PILOT_CONFIG], {
      cwd: dir,
      env: { RXFLUME_DATA: dir, RXFLUME_AGENT_ID: 'prom-agent', RXFLUME_KAFKA_BROKERS: broker.bootstrap },
    });
    metricsUrl = await waitFor(() => cli?.metricsUrl(), { timeoutMs: 60_000, what: `the metrics address in the log: ${cli?.stderr()}` });

    // Data flows for the whole test: driving lines (a few invalid) every 200 ms, and a status day file.
    let i = 0;
    feeder = setInterval(() => {
      const lines: string[] = [];
      for (let k = 0; k < 20; k++, i++) lines.push(i % 97 === 5 ? `${drivingLine(i).slice(0, 14)},not a record` : drivingLine(i));
      appendFileSync(driving, `${lines.join('\n')}\n`);
    }, 200);
    const status = [STATUS_HEADER];
    const hms = (k: number) => `00${String(Math.floor(k / 60)).padStart(2, '0')}${String(k % 60).padStart(2, '0')}`;
    for (let k = 0; k < 500; k++) status.push(`20160101${hms(k)},A0001,90,91,92,93,1,1,1,1,A,A,88`);
    status.push('20160101000000,A0001,140,91,92,93,1,1,1,1,A,A,88');
    writeFileSync(join(dir, 'status.tmp'), `${status.join('\n')}\n`);
    renameSync(join(dir, 'status.tmp'), join(dir, 'car-batch-log', 'SmartCarStatusInfo_20160101.txt'));

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const target = metricsUrl.replace('http://', '');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(ALERTS)}]`,
        'scrape_configs:',
        `  - { job_name: rxflume, static_configs: [{ targets: [${JSON.stringify(target)}] }] }`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`)).ok, { timeoutMs: 60_000, what: 'Prometheus to be ready' });
    // Rates need two scrapes with traffic in between.
    await waitFor(
      async () => ((await promQuery('rate(rxflume_events_received_total{component_id="driving"}[1m]) > 0')).data?.result.length ?? 0) > 0,
      { timeoutMs: 90_000, intervalMs: 500, what: 'Prometheus to see events flowing' },
    );
  }, 240_000);

  afterAll(async () => {
    if (feeder) clearInterval(feeder);
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exit;
    }
    killAll();
    await broker?.stop();
    await t?.cleanup();
  }, 120_000);

  it('the agent is healthy and ready, and its exposition passes promtool check metrics', async () => {
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${metricsUrl}/readyz`)).status === 200, { what: '/readyz 200' });
    const exposition = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(exposition).toContain('rxflume_sink_connected{component_id="driving_kafka",component_kind="sink"} 1');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  it('promtool accepts the alert rules and the example scrape config', () => {
    const rules = spawnSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    const conf = spawnSync('promtool', ['check', 'config', join(ROOT, 'deploy', 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    expect(conf.status, conf.stdout + conf.stderr).toBe(0);
  });

  it('every dashboard panel query and every alert signal returns data', { timeout: 240_000 }, async () => {
    const { rules, signals } = alertQueries();
    const queries = [...dashboardQueries(), ...signals];
    expect(queries.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const q of queries) {
      try {
        await waitFor(
          async () => {
            const r = await promQuery(q.expr);
            if (r.status !== 'success') throw new Error(r.error);
            return (r.data?.result.length ?? 0) > 0;
          },
          { timeoutMs: 30_000, intervalMs: 500, what: 'data' },
        );
      } catch (err) {
        failures.push(`${q.what} returned no data: ${q.expr} (${(err as Error).message})`);
      }
    }
    for (const q of rules) {
      const r = await promQuery(q.expr);
      if (r.status !== 'success') failures.push(`${q.what} does not evaluate: ${r.error}`);
    }
    expect(failures).toEqual([]);
  });

  it('Prometheus loaded every alert rule and evaluates each without error', async () => {
    const expected = alertQueries().rules.length;
    const rules = await waitFor(
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
        };
        const all = body.data.groups.flatMap((g) => g.rules);
        return all.length === expected && all.every((r) => r.health !== 'unknown') ? all : undefined;
      },
      { timeoutMs: 60_000, what: 'every rule evaluated once' },
    );
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });
});

/**
 * The alert rules (deploy/prometheus/alerts.yml) judged on synthetic series with
 * `promtool test rules` (Prometheus's own rule evaluator, no live agent): a healthy agent that
 * sits idle for hours fires nothing, and the failures the rules exist for fire at the pilot's own
 * data rates (the driving log grows ~45 KB/s: 1,000 lines/s of ~45 bytes).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/wait.js';

const ALERTS = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));

const TARGET = 'instance="agent:9464",job="rxflume"';
const SOURCE = `${TARGET},component_id="driving",component_kind="source"`;
const BUFFER = `${TARGET},component_id="driving",component_kind="buffer"`;
const SINK = `${TARGET},component_id="driving_kafka",component_kind="sink"`;

/** 4 h of 15 s samples. */
const SAMPLES = 4 * 60 * 4;

interface Series {
  readonly series: string;
  readonly values: string;
}

/** The series of an agent with one tail source feeding one Kafka sink. */
function agentSeries(over: { lag: string; connected: string; fill: string }): Series[] {
  return [
    { series: `up{${TARGET}}`, values: `1x${SAMPLES}` },
    { series: `rxflume_sink_connected{${SINK}}`, values: over.connected },
    { series: `rxflume_source_lag_bytes{${SOURCE},file="/data/driver-realtime-log/SmartCarDriverInfo.log"}`, values: over.lag },
    { series: `rxflume_buffer_fill_ratio{${BUFFER}}`, values: over.fill },
    { series: `rxflume_sink_events_total{${SINK},result="failed"}`, values: `0x${SAMPLES}` },
    { series: `rxflume_dead_lettered_total{${SOURCE},reason="invalid"}`, values: `12x${SAMPLES}` },
    { series: `rxflume_checkpoint_writes_total{${SOURCE},result="error"}`, values: `0x${SAMPLES}` },
  ];
}

function yamlList(series: readonly Series[]): string {
  return series.map((s) => `      - series: '${s.series}'\n        values: '${s.values}'`).join('\n');
}

/**
 * Expects exactly the alerts `firing` (alert name → its distinguishing labels) to be firing at
 * `evalTime`, read from Prometheus's own ALERTS series (labels only, annotations aside).
 */
function firingCase(evalTime: string, firing: Record<string, Record<string, string>>): string {
  const samples = Object.entries(firing).map(([name, labels]) => {
    const all = { alertname: name, alertstate: 'firing', ...labels };
    const text = Object.entries(all)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    return `          - labels: 'ALERTS{${text}}'\n            value: 1`;
  });
  const expected = samples.length > 0 ? `\n${samples.join('\n')}` : ' []';
  return `      - expr: 'ALERTS{alertstate="firing"}'\n        eval_time: ${evalTime}\n        exp_samples:${expected}`;
}

function promtoolTest(body: string, dir: string): { status: number | null; output: string } {
  const file = join(dir, 'alerts.test.yml');
  writeFileSync(file, `rule_files:\n  - ${JSON.stringify(ALERTS)}\nevaluation_interval: 15s\ntests:\n${body}\n`);
  const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is missing (apt-get install prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('alert rules (promtool test rules)', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('a healthy agent fires nothing: idle for hours, or busy with a full in-flight window', async () => {
    const t = await tempDir('rxflume-alerts-');
    cleanup = t.cleanup;
    const idle = agentSeries({ lag: `0x${SAMPLES}`, connected: `1x${SAMPLES}`, fill: `0x${SAMPLES}` });
    // Busy: the lag swings between nothing and a full buffer of driving events (~4.5 MB) in flight.
    const swing = Array.from({ length: SAMPLES }, (_, i) => (i % 8 < 4 ? 0 : 4_500_000)).join(' ');
    const busy = agentSeries({ lag: swing, connected: `1x${SAMPLES}`, fill: `0.5x${SAMPLES}` });
    const body = [idle, busy]
      .map((series) => `  - interval: 15s\n    input_series:\n${yamlList(series)}\n    promql_expr_test:\n${firingCase('3h', {})}`)
      .join('\n');
    const r = promtoolTest(body, t.dir);
    expect(r.status, r.output).toBe(0);
  });

  it('a sink down at the pilot rate (driving log +45 KB/s) fires SinkDown, SourceLagGrowing and BufferFull', async () => {
    const t = await tempDir('rxflume-alerts-');
    cleanup = t.cleanup;
    // The sink goes down at t=0: the buffer fills within a minute, then the source stops reading
    // and the unacknowledged part of the log grows with the writers: 45,000 B/s × 15 s per sample.
    const down = agentSeries({ lag: `0+675000x${SAMPLES}`, connected: `0x${SAMPLES}`, fill: `0.5 1x${SAMPLES - 1}` });
    const firing = {
      RxflumeSinkDown: { severity: 'critical', instance: 'agent:9464', component_id: 'driving_kafka' },
      RxflumeSourceLagGrowing: { severity: 'warning', instance: 'agent:9464', component_id: 'driving' },
      RxflumeBufferFull: { severity: 'warning', instance: 'agent:9464', component_id: 'driving' },
    };
    const body = `  - interval: 15s\n    input_series:\n${yamlList(down)}\n    promql_expr_test:\n${firingCase('45m', firing)}`;
    const r = promtoolTest(body, t.dir);
    expect(r.status, r.output).toBe(0);
  });
});

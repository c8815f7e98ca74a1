/**
 * Hot reload of a running agent (in-process): a status spool pipeline and a driving tail
 * pipeline, each with its own local HDFS-layout sink, while a writer keeps appending driving
 * lines. A valid change restarts only the pipeline it touches, without losing or repeating a
 * line; an invalid one changes nothing; a removed pipeline drains and saves its checkpoint; the
 * books balance (read = delivered + filtered + dead-lettered).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { silentLogger } from '../../src/core/logger.js';
import { ConfigReloader } from '../../src/core/reload.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { listFiles, readLines } from '../support/pilot.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

interface Layout {
  readonly dir: string;
  /** Extra interceptors of the driving source (YAML list items, indented for the block). */
  readonly drivingInterceptors?: string;
  readonly withStatus?: boolean;
  readonly agentId?: string;
}

function configText(l: Layout): string {
  const d = l.dir;
  const status =
    l.withStatus === false
      ? ''
      : `
  status:
    type: spooldir
    spoolDir: ${d}/spool
    minFileAgeMs: 0
    pollDelay: 20
    batchSize: 500
    buffer: { maxEvents: 2000 }
    sinks: [status_out]`;
  const statusSink =
    l.withStatus === false
      ? ''
      : `
  status_out: { type: hdfs, root: ${d}/hdfs, path: /status, filePrefix: status, fileSuffix: .log, batchSize: 200, batchTimeoutMs: 10 }`;
  return `
agent: { id: ${l.agentId ?? 'reload-agent'}, stateDir: ${d}/state, drainTimeoutMs: 30000 }
deadLetter: { dir: ${d}/dead-letter }
sources:${status}
  driving:
    type: tail
    path: ${d}/driving.log
    startAt: beginning
    pollIntervalMs: 10
    schema: smartcar.DrivingEvent
    parseWorker: false
    interceptors:
      - { type: regex_filter, regex: '^\\d{14}' }${l.drivingInterceptors ?? ''}
    sinks: [driving_out]
sinks:${statusSink}
  driving_out: { type: hdfs, root: ${d}/hdfs, path: /driving, filePrefix: driving, fileSuffix: .log, batchSize: 200, batchTimeoutMs: 10 }
`;
}

/** Drops the lines of cars whose number starts with Z (the interceptor the reload adds). */
const DROP_CAR_Z = `
      - { type: regex_filter, regex: '^\\d{14},Z', excludeEvents: true }`;

/** Every line the sink wrote under `hdfs/<sub>` (finished and in-use files). */
function written(dir: string, sub: string): Promise<string[]> {
  return readLines(join(dir, 'hdfs', sub));
}

/** Appends driving lines in small bursts until stopped; remembers when each was written. */
function startWriter(file: string) {
  const lines: string[] = [];
  let running = true;
  const done = (async () => {
    let i = 0;
    while (running) {
      const burst: string[] = [];
      for (let k = 0; k < 20; k++) burst.push(drivingLine(i++));
      appendFileSync(file, `${burst.join('\n')}\n`);
      lines.push(...burst);
      await sleep(5);
    }
  })();
  return {
    lines,
    count: () => lines.length,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function books(agent: Agent, source: string, sink: string) {
  const v = (name: string, labels: Record<string, string>) => agent.metrics.value(name, labels);
  return {
    received: await v('rxflume_events_received_total', { component_id: source, component_kind: 'source' }),
    delivered: await v('rxflume_sink_events_total', { component_id: sink, result: 'acknowledged' }),
    filtered: await v('rxflume_events_rejected_total', { component_id: source, reason: 'filtered' }),
    deadLettered: await v('rxflume_dead_lettered_total', { component_id: source }),
  };
}

describe('hot reload (in-process agent)', () => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await cleanup();
  });

  async function setup(layout: Omit<Layout, 'dir'> = {}) {
    const t = await tempDir('rxflume-reload-');
    cleanup = t.cleanup;
    mkdirSync(join(t.dir, 'spool'), { recursive: true });
    writeFileSync(join(t.dir, 'driving.log'), `${DRIVING_HEADER}\n`);
    let text = configText({ dir: t.dir, ...layout });
    const a = await Agent.create(parseConfig(text, 'reload.yaml', {}), { logger: silentLogger() });
    agent = a;
    await a.start();
    const loads = { count: 0 };
    const load = async () => {
      loads.count++;
      return parseConfig(text, 'reload.yaml', {});
    };
    const reloader = new ConfigReloader({ agent: a, load, logger: silentLogger() });
    const reload = (next: Omit<Layout, 'dir'>) => {
      text = configText({ dir: t.dir, ...next });
      return reloader.request('test');
    };
    const setText = (next: string) => {
      text = next;
    };
    return { dir: t.dir, agent: a, reloader, reload, setText, loads };
  }

  it('a new interceptor on the driving pipeline applies mid-stream: no line lost or repeated, status untouched', async () => {
    const { dir, agent: a, reload } = await setup();
    const statusPipeline = a.pipeline('status');
    const statusSink = a.sink('status_out');
    const drivingSink = a.sink('driving_out');
    const oldDriving = a.pipeline('driving');
    writeFileSync(join(dir, 'spool', 'day1.txt'), 'status-1\nstatus-2\n');

    const writer = startWriter(join(dir, 'driving.log'));
    await waitFor(async () => (await written(dir, 'driving')).length > 500, { what: 'driving lines to flow' });
    const outcome = await reload({ drivingInterceptors: DROP_CAR_Z });
    expect(outcome.result).toBe('applied');
    const afterReload = writer.count();
    await waitFor(() => writer.count() > afterReload + 500, { what: 'the writer to go on after the reload' });
    // A bad line goes to the dead-letter sink (the books count it too).
    appendFileSync(join(dir, 'driving.log'), '20190101000000,BAD\n');
    await writer.stop();
    writeFileSync(join(dir, 'spool', 'day2.txt'), 'status-3\n');

    const keptLines = writer.lines.filter((l) => !/^\d{14},Z/.test(l));
    await waitFor(async () => (await written(dir, 'driving')).filter((l) => !/^\d{14},Z/.test(l)).length >= keptLines.length, {
      what: 'every kept driving line to reach the sink',
    });
    await waitFor(async () => (await written(dir, 'status')).length === 3, { what: 'the status lines' });

    // Unchanged pipeline and sinks: the very same objects; the driving pipeline was replaced.
    expect(a.pipeline('status')).toBe(statusPipeline);
    expect(a.sink('status_out')).toBe(statusSink);
    expect(a.sink('driving_out')).toBe(drivingSink);
    expect(a.pipeline('driving')).not.toBe(oldDriving);
    expect(a.config.sources.find((s) => s.id === 'driving')?.interceptors).toHaveLength(2);

    const out = await written(dir, 'driving');
    // Nothing lost, nothing repeated (the drain settled everything and saved the checkpoint).
    expect(new Set(out).size).toBe(out.length);
    expect(out.filter((l) => !/^\d{14},Z/.test(l)).sort()).toEqual([...keptLines].sort());
    // Lines written after the reload went through the new interceptor: no car Z among them.
    const lateZ = writer.lines.slice(afterReload).filter((l) => /^\d{14},Z/.test(l));
    expect(lateZ.length).toBeGreaterThan(0);
    expect(out.filter((l) => lateZ.includes(l))).toEqual([]);

    await waitFor(async () => (await books(a, 'driving', 'driving_out')).deadLettered === 1, { what: 'the bad line dead-lettered' });
    const final = await books(a, 'driving', 'driving_out');
    expect(final.received).toBe(writer.lines.length + 2); // + header + bad line
    expect(final.received).toBe(final.delivered + final.filtered + final.deadLettered);
    expect(final.delivered).toBe(out.length);
    expect(await a.metrics.value('rxflume_config_reloads_total', { result: 'applied' })).toBe(1);
    expect(await a.metrics.value('rxflume_config_last_reload_success')).toBe(1);
  });

  it('a changed sink is closed and rebuilt with the pipeline that feeds it; the other pipeline keeps running', async () => {
    const { dir, agent: a, setText, reloader } = await setup();
    const statusPipeline = a.pipeline('status');
    const oldSink = a.sink('driving_out');
    const writer = startWriter(join(dir, 'driving.log'));
    await waitFor(async () => (await written(dir, 'driving')).length > 200, { what: 'driving lines to flow' });
    setText(configText({ dir }).replace('filePrefix: driving,', 'filePrefix: driving2,'));
    const outcome = await reloader.request('test');
    expect(outcome.result === 'applied' && outcome.applied.sinksStarted).toEqual(['driving_out']);
    const afterReload = writer.count();
    await waitFor(() => writer.count() > afterReload + 200, { what: 'the writer to go on after the reload' });
    await writer.stop();
    await waitFor(async () => (await written(dir, 'driving')).length >= writer.lines.length, { what: 'every driving line' });
    expect(a.sink('driving_out')).not.toBe(oldSink);
    expect(a.pipeline('status')).toBe(statusPipeline);
    const files = await listFiles(join(dir, 'hdfs', 'driving'));
    // The old sink closed (its file published), the new one writes under its new prefix.
    expect(files.some((f) => /(^|\/)driving\./.test(f) && !f.endsWith('.tmp'))).toBe(true);
    expect(files.some((f) => /(^|\/)driving2\./.test(f))).toBe(true);
    const out = await written(dir, 'driving');
    expect(out.sort()).toEqual([...writer.lines].sort());
  });

  it('a stop during a reload waits for it, then drains everything without losing a line', async () => {
    const { dir, agent: a, reload, loads } = await setup();
    const writer = startWriter(join(dir, 'driving.log'));
    await waitFor(async () => (await written(dir, 'driving')).length > 200, { what: 'driving lines to flow' });
    const reloading = reload({ drivingInterceptors: DROP_CAR_Z });
    await waitFor(() => loads.count === 1, { what: 'the reload to begin' });
    const stopped = a.stop();
    await writer.stop();
    expect(['applied', 'ignored']).toContain((await reloading).result);
    expect(await stopped).toEqual({ drained: true });
    // Lines read before the stop are all delivered once; the rest stay for a restart (checkpoint).
    const out = await written(dir, 'driving');
    expect(new Set(out).size).toBe(out.length);
    const kept = writer.lines.filter((l) => !/^\d{14},Z/.test(l));
    const delivered = new Set(out);
    const firstMissing = kept.findIndex((l) => !delivered.has(l));
    if (firstMissing >= 0) expect(kept.slice(firstMissing).some((l) => delivered.has(l))).toBe(false);
  });

  it('an invalid change is rejected with its config paths and the old pipelines keep running', async () => {
    const { dir, agent: a, setText, reloader } = await setup();
    const before = { status: a.pipeline('status'), driving: a.pipeline('driving'), config: a.config };
    setText(
      configText({ dir, drivingInterceptors: "\n      - { type: regex_filter, regex: '(' }\n      - { type: no_such_interceptor }" }),
    );
    const outcome = await reloader.request('test');
    expect(outcome.result).toBe('rejected');
    const problems = outcome.result === 'rejected' ? outcome.problems : [];
    expect(problems.some((p) => p.startsWith('sources.driving.interceptors[1]'))).toBe(true);
    expect(problems.some((p) => p.startsWith('sources.driving.interceptors[2].type: unknown interceptor'))).toBe(true);
    expect(await a.metrics.value('rxflume_config_reloads_total', { result: 'rejected' })).toBe(1);
    expect(await a.metrics.value('rxflume_config_last_reload_success')).toBe(0);
    expect(a.pipeline('status')).toBe(before.status);
    expect(a.pipeline('driving')).toBe(before.driving);
    expect(a.config).toBe(before.config);

    // A change that cannot apply live (the agent id names files) is rejected the same way.
    setText(configText({ dir, agentId: 'renamed' }));
    const blocked = await reloader.request('test');
    expect(blocked.result === 'rejected' && blocked.problems[0]).toMatch(/^agent\.id: changed from "reload-agent" to "renamed"/);
    expect(await a.metrics.value('rxflume_config_reloads_total', { result: 'rejected' })).toBe(2);

    // The old pipeline still reads and delivers.
    appendFileSync(join(dir, 'driving.log'), `${drivingLine(1)}\n${drivingLine(2)}\n`);
    await waitFor(async () => (await written(dir, 'driving')).length === 2, { what: 'lines after the rejected reload' });
    expect(a.status().sources.every((s) => s.started)).toBe(true);
  });

  it('a removed pipeline drains and saves its checkpoint; added back, it resumes where it stopped', async () => {
    const { dir, agent: a, reload } = await setup();
    const lines = Array.from({ length: 60_000 }, (_, i) => `status-line-${i}`);
    writeFileSync(join(dir, 'spool', 'big.txt'), `${lines.join('\n')}\n`);
    await waitFor(async () => (await books(a, 'status', 'status_out')).received > 0, { what: 'the spool file to be read' });

    const removed = await reload({ withStatus: false });
    expect(removed.result).toBe('applied');
    expect(a.pipeline('status')).toBeUndefined();
    expect(a.sink('status_out')).toBeUndefined();
    // Drained: what the pipeline passed on was delivered, and the removed sink published its files.
    const drained = await books(a, 'status', 'status_out');
    expect(drained.delivered).toBeGreaterThan(0);
    const files = await listFiles(join(dir, 'hdfs', 'status'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const beforeReAdd = await written(dir, 'status');
    expect(beforeReAdd.length).toBe(drained.delivered);
    // In file order from the start: the checkpoint can resume right after them.
    expect(beforeReAdd).toEqual(lines.slice(0, beforeReAdd.length));

    const added = await reload({});
    expect(added.result).toBe('applied');
    await waitFor(async () => (await written(dir, 'status')).length >= lines.length, { what: 'the rest of the spool file' });
    await a.stop();
    const out = await written(dir, 'status');
    // Exactly once across the removal and the re-adding.
    expect(out.sort()).toEqual([...lines].sort());
    const final = await books(a, 'status', 'status_out');
    expect(final.delivered).toBe(lines.length);
    // A batch the stop caught waiting for buffer room counts as read and as rejected (`stopped`,
    // not emitted), and is read again after the re-adding: the books still balance.
    const stopped = await a.metrics.value('rxflume_events_rejected_total', { component_id: 'status', reason: 'stopped' });
    expect(final.received).toBe(final.delivered + final.filtered + final.deadLettered + stopped);
  });

  it('reloads are serialized: one requested during a reload runs after it; during shutdown they are ignored', async () => {
    const { agent: a, reload, reloader, loads } = await setup();
    const first = reload({ drivingInterceptors: DROP_CAR_Z });
    // Requests made before the first began join it; once it runs, the next one is queued behind it.
    expect(reloader.request('test')).toBe(first);
    await waitFor(() => loads.count === 1, { what: 'the first reload to begin' });
    const second = reloader.request('test');
    const third = reloader.request('test');
    expect(third).toBe(second);
    expect(second).not.toBe(first);
    expect((await first).result).toBe('applied');
    expect((await second).result).toBe('unchanged');
    expect(await a.metrics.value('rxflume_config_reloads_total')).toBe(2);

    const stopping = a.stop();
    const late = await reload({});
    expect(late.result).toBe('ignored');
    await stopping;
    expect(await a.metrics.value('rxflume_config_reloads_total')).toBe(2);
    expect(loads.count).toBe(2);
  });
});

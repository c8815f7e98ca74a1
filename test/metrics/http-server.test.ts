/**
 * The metrics/health HTTP server over a real in-process agent: /healthz always answers, /readyz
 * is 503 (naming what is not ready) until sources and sinks started and while a sink reports
 * itself disconnected, /metrics is the Prometheus exposition, /metrics.json the Flume view.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { silentLogger } from '../../src/core/logger.js';
import { formatListenAddress, parseListenAddress } from '../../src/http/address.js';
import { readinessOf } from '../../src/http/readiness.js';
import { type RunningHttpServer, startHttpServer } from '../../src/http/server.js';
import { drivingLine } from '../support/driving.js';
import { tempDir, waitFor } from '../support/wait.js';

function config(dir: string, metricsEnabled = true): string {
  return `
agent: { id: http-agent, stateDir: ${dir}/state }
metrics: { enabled: ${metricsEnabled} }
deadLetter: { dir: ${dir}/dead-letter, fsync: false }
sources:
  driving:
    type: tail
    path: ${dir}/in.log
    pollIntervalMs: 20
    schema: smartcar.DrivingEvent
    interceptors: [{ type: timestamp }]
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /out, filePrefix: driving, batchSize: 10, batchTimeoutMs: 10 }
`;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('metrics HTTP server', () => {
  let cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
  });

  async function setup(metricsEnabled = true): Promise<{ dir: string; agent: Agent; server: RunningHttpServer }> {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const agent = await Agent.create(parseConfig(config(t.dir, metricsEnabled), 't.yaml', {}), { logger: silentLogger() });
    cleanups.push(async () => void (await agent.stop()));
    const server = await startHttpServer({
      address: parseListenAddress('127.0.0.1:0'),
      metrics: agent.metrics,
      readiness: () => readinessOf(agent.status()),
      logger: silentLogger(),
    });
    cleanups.push(() => server.close());
    return { dir: t.dir, agent, server };
  }

  it('answers health, readiness by agent state, the exposition and the Flume view', async () => {
    const { dir, agent, server } = await setup();
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`);

    expect(await get(`${server.url}/healthz`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    const before = await get(`${server.url}/readyz`);
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body)).toEqual({ ready: false, notReady: ['source driving: not started', 'sink out: not started'] });

    writeFileSync(join(dir, 'in.log'), '');
    await agent.start();
    expect(await get(`${server.url}/readyz`)).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: '{"ready":true,"notReady":[]}',
    });

    // A sink that reports its destination down makes the agent not ready, until it is back.
    agent.metrics.sinkConnection('out', false);
    const down = await get(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).notReady).toEqual(['sink out: disconnected']);
    agent.metrics.sinkConnection('out', true);
    expect((await get(`${server.url}/readyz`)).status).toBe(200);

    appendFileSync(join(dir, 'in.log'), `${drivingLine(0)}\n${drivingLine(1)}\nnot a record\n`);
    await waitFor(async () => (await agent.metrics.value('rxflume_sink_events_total', { result: 'acknowledged' })) === 2, {
      what: 'two events acknowledged',
    });

    const metrics = await get(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.body).toContain('rxflume_events_received_total{component_id="driving",component_kind="source"} 3');
    expect(metrics.body).toContain('rxflume_sink_reconnects_total{component_id="out",component_kind="sink"} 1');
    expect(metrics.body).toMatch(/rxflume_end_to_end_latency_seconds_count\{component_id="out",component_kind="sink"\} [1-9]/);

    await waitFor(async () => (await agent.metrics.value('rxflume_dead_lettered_total', { component_id: 'driving' })) === 1);
    const flume = await get(`${server.url}/metrics.json`);
    expect(flume.status).toBe(200);
    const view = JSON.parse(flume.body);
    // Flume's meaning of accepted: taken by the buffer (the channel), the dead-lettered line included.
    expect(view['SOURCE.driving']).toMatchObject({ Type: 'SOURCE', EventReceivedCount: '3', EventAcceptedCount: '3', StopTime: '0' });
    expect(Number(view['SOURCE.driving'].StartTime)).toBeGreaterThan(0);
    expect(view['CHANNEL.driving']).toMatchObject({ Type: 'CHANNEL', ChannelCapacity: '100000', EventPutAttemptCount: '3' });
    expect(view['CHANNEL.driving'].EventPutSuccessCount).toBe('3');
    expect(view['CHANNEL.driving']).toHaveProperty('ChannelSize');
    expect(view['CHANNEL.driving']).toHaveProperty('ChannelFillPercentage');
    expect(view['SINK.out']).toMatchObject({
      Type: 'SINK',
      EventDrainAttemptCount: '2',
      EventDrainSuccessCount: '2',
      ConnectionFailedCount: '1',
      ConnectionCreatedCount: '1',
      EventWriteFail: '0',
    });
    for (const component of Object.values(view) as Array<Record<string, unknown>>) {
      for (const value of Object.values(component)) expect(typeof value).toBe('string');
    }
  });

  it('answers 404 for unknown paths, 405 for other methods, and HEAD without a body', async () => {
    const { server } = await setup();
    const missing = await get(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('/metrics');
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('with metrics disabled still answers health and readiness, and exposes no samples', async () => {
    const { dir, agent, server } = await setup(false);
    writeFileSync(join(dir, 'in.log'), `${drivingLine(0)}\n`);
    await agent.start();
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    await waitFor(() => agent.gate('driving')?.inFlightEvents === 0 && agent.status().sinks[0]?.started);
    const body = (await get(`${server.url}/metrics`)).body;
    expect(body.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([]);
    expect(JSON.parse((await get(`${server.url}/metrics.json`)).body)).toEqual({});
  });

  it('refuses a port in use with a message naming the address', async () => {
    const { agent, server } = await setup();
    const again = startHttpServer({
      address: server.address,
      metrics: agent.metrics,
      readiness: () => readinessOf(agent.status()),
      logger: silentLogger(),
    });
    await expect(again).rejects.toThrow(`cannot serve metrics on ${formatListenAddress(server.address)}: EADDRINUSE`);
  });
});

describe('listen addresses', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }, '127.0.0.1:9464'],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }, '0.0.0.0:0'],
    ['[::]:9464', { host: '::', port: 9464 }, '[::]:9464'],
    ['localhost:80', { host: 'localhost', port: 80 }, 'localhost:80'],
  ])('parses %s', (text, parsed, printed) => {
    expect(parseListenAddress(text)).toEqual(parsed);
    expect(formatListenAddress(parsed)).toBe(printed);
  });

  it.each(['9464', 'host:', ':9464', 'host:70000', 'a b:1'])('refuses %s', (text) => {
    expect(() => parseListenAddress(text)).toThrow('is not HOST:PORT');
  });

  it('is validated in the config with a clear message', () => {
    const base = (address: string) =>
      `metrics: { address: '${address}' }\nsources: { s: { type: tail, path: /tmp/x.log, sinks: [o] } }\nsinks: { o: { type: hdfs, root: /tmp/h, path: /o } }\n`;
    expect(parseConfig(base('0.0.0.0:9464'), 'c.yaml', {}).metrics).toEqual({ enabled: true, address: '0.0.0.0:9464' });
    expect(() => parseConfig(base('nine'), 'c.yaml', {})).toThrow(/metrics\.address.*must be HOST:PORT/);
    expect(() => parseConfig(base('h:99999'), 'c.yaml', {})).toThrow(/metrics\.address.*port must be 0\.\.65535/);
    expect(() => parseConfig(`metrics: { port: 1 }\n${base('h:1').split('\n').slice(1).join('\n')}`, 'c.yaml', {})).toThrow(
      /metrics.*port/,
    );
  });
});

/**
 * `rxflume top` against a real running agent (`rxflume run` on the pilot config, as a child):
 * `--once` shows the numbers the agent's /metrics reports (a spooled status day through the
 * HDFS layout; the driving sink's unreachable broker as not ready), the loop prints a block per
 * interval and stops on SIGTERM, and a URL nobody answers on is a clear error.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/metrics/samples.js';
import { statusFileName, writeStatusDay } from '../../src/simulator/status.js';
import { readingOf } from '../../src/top/snapshot.js';
import { type CliProcess, killAll, runCli, startCli } from '../support/cli.js';
import { PILOT_CONFIG } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

let agent: CliProcess;
let url: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir('rxflume-top-');
  cleanup = t.cleanup;
  // Nothing listens on port 1: the driving sink stays disconnected, so the agent is not ready.
  agent = startCli(['run', '-c', PILOT_CONFIG], { env: { RXFLUME_DATA: t.dir, RXFLUME_KAFKA_BROKERS: '127.0.0.1:1' } });
  url = await waitFor(() => agent.metricsUrl(), { timeoutMs: 60_000, what: 'the agent to serve metrics' });
  const work = join(t.dir, 'work', statusFileName('20160101'));
  writeStatusDay({ date: '20160101', cars: 2, seed: 4, file: work });
  await mkdir(join(t.dir, 'car-batch-log'), { recursive: true });
  const spooled = join(t.dir, 'car-batch-log', statusFileName('20160101'));
  await rename(work, spooled);
  await waitFor(() => !existsSync(spooled), { timeoutMs: 120_000, what: 'the status day to be acknowledged and deleted' });
}, 180_000);

afterAll(async () => {
  agent?.child.kill('SIGTERM');
  await agent?.exit;
  killAll();
  await cleanup?.();
});

/** A port nobody listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function row(text: string, id: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${id} `));
  if (!line) throw new Error(`no row ${id} in:\n${text}`);
  return line.trim().split(/\s{2,}/);
}

describe('rxflume top', () => {
  it('--once prints the numbers the agent reports', { timeout: 60_000 }, async () => {
    // The buffer gauges are sampled: wait until they show the settled day before the snapshot.
    await waitFor(
      async () => {
        const reading = readingOf(parseExposition(await (await fetch(`${url}/metrics`)).text()));
        return reading.sources.find((s) => s.id === 'status')?.bufferEvents === 0;
      },
      { what: 'the status buffer gauge to read 0' },
    );
    const r = await runCli(['top', '--once', '--url', url]);
    expect(r.code, r.stderr).toBe(0);
    const metrics = readingOf(parseExposition(await (await fetch(`${url}/metrics`)).text()));
    const status = metrics.sources.find((s) => s.id === 'status');
    const hdfs = metrics.sinks.find((s) => s.id === 'hdfs');
    expect(status?.received).toBe(2 * 21_601 + 2);
    expect(hdfs?.delivered).toBe(2 * 21_601);
    expect(r.stdout).toContain(`rxflume ${url}/metrics`);
    expect(r.stdout).toMatch(/NOT READY: .*sink driving_kafka: disconnected/);
    // source  in/s  in  filtered  dead-lettered  buffer
    expect(row(r.stdout, 'status')).toEqual(['status', '-', '43,204', '2', '0', '0% (0/100,000)']);
    // sink  out/s  delivered  dead-lettered  failed  files rolled  connection
    const hdfsRow = row(r.stdout, 'hdfs');
    expect(hdfsRow.slice(0, 5)).toEqual(['hdfs', '-', '43,202', '0', '0']);
    expect(row(r.stdout, 'driving_kafka').at(-1)).toBe('DISCONNECTED');
    expect(row(r.stdout, 'driving')[2]).toBe('0');
  });

  it('prints a block per interval when stdout is not a terminal, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const p = startCli(['top', '--url', `${url}/metrics`, '--interval-ms', '200']);
    await waitFor(() => p.stdout().split('rxflume http').length > 3, { timeoutMs: 30_000, what: 'three blocks' });
    p.child.kill('SIGTERM');
    const { code } = await p.exit;
    expect(code).toBe(0);
    // From the second block on, rates are known: the idle status source reads 0 lines/s.
    const blocks = p.stdout().split('rxflume http');
    expect(row(blocks[2] ?? '', 'status')[1]).toBe('0');
    expect(p.stdout()).not.toContain('\x1b[');
  });

  it('says clearly when no agent answers at the URL', { timeout: 60_000 }, async () => {
    const port = await closedPort();
    const r = await runCli(['top', '--once', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no agent answers at http://127.0.0.1:${port}/metrics (ECONNREFUSED)`);
    const bad = await runCli(['top', '--once', '--url', 'http://[nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a URL: "http://[nope"');
  });
});

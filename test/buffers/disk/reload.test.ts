/**
 * Hot reload of a disk-buffered pipeline with lines flowing: the old log is drained and closed
 * before the replacement opens the same folder, and no line is lost (the tail source's
 * checkpoint advanced when lines reached the log, so the new pipeline must deliver the rest
 * from the log). Also a reload while the sink is down: the drain deadline cuts the old pipeline
 * short and the replacement delivers its log once the sink is back.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { Agent } from '../../../src/core/agent.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ConfigReloader } from '../../../src/core/reload.js';
import { readLines } from '../../support/pilot.js';
import { sleep, tempDir, waitFor } from '../../support/wait.js';
import { WebHdfsEmulator } from '../../support/webhdfs/emulator.js';

const LOCAL_SINK = (dir: string) =>
  `{ type: hdfs, root: ${dir}/hdfs, path: /out, filePrefix: lines, fileSuffix: .log, format: text, batchSize: 100, batchTimeoutMs: 10 }`;

/** A WebHDFS sink (the emulator decides whether it is up). */
const WEBHDFS_SINK = (url: string) =>
  `{ type: hdfs, url: ${url}, user: flume, requestTimeoutMs: 2000, path: /out, filePrefix: lines, fileSuffix: .log, format: text, rollInterval: 0, idleTimeout: 1, batchSize: 100, batchTimeoutMs: 10, retry: { initialDelayMs: 50, maxDelayMs: 200 } }`;

function configText(dir: string, header: string, sink = LOCAL_SINK(dir), drainTimeoutMs = 20_000): string {
  return `
agent: { id: disk-reload, stateDir: ${dir}/state, drainTimeoutMs: ${drainTimeoutMs} }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  lines:
    type: tail
    path: ${dir}/in.log
    startAt: beginning
    pollIntervalMs: 10
    buffer: { type: disk, segmentBytes: 16KiB }
    interceptors:
      - { type: static, key: run, value: ${header} }
    sinks: [out]
sinks:
  out: ${sink}
`;
}

function written(dir: string, onlyFinished = false): Promise<string[]> {
  return readLines(join(dir, 'hdfs', 'out'), (f) => !onlyFinished || f.endsWith('.log'));
}

describe('disk buffer across a hot reload', () => {
  let cleanup: () => Promise<void> = async () => {};
  let agent: Agent | undefined;
  let emulator: WebHdfsEmulator | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await emulator?.stop();
    emulator = undefined;
    await cleanup();
  });

  it('a reload that changes an interceptor, with lines flowing, loses no line', async () => {
    const t = await tempDir('rxflume-disk-reload-');
    cleanup = t.cleanup;
    const file = join(t.dir, 'in.log');
    writeFileSync(file, '');
    let text = configText(t.dir, 'one');
    const a = await Agent.create(parseConfig(text, 'agent.yaml', {}), { logger: silentLogger() });
    agent = a;
    await a.start();
    const reloader = new ConfigReloader({ agent: a, load: async () => parseConfig(text, 'agent.yaml', {}), logger: silentLogger() });

    const lines: string[] = [];
    let running = true;
    const writer = (async () => {
      let i = 0;
      while (running) {
        const burst: string[] = [];
        for (let k = 0; k < 50; k++) burst.push(`line-${String(i++).padStart(7, '0')}`);
        appendFileSync(file, `${burst.join('\n')}\n`);
        lines.push(...burst);
        await sleep(5);
      }
    })();
    await waitFor(async () => (await written(t.dir)).length > 500, { what: 'lines before the reload' });
    for (const header of ['two', 'three']) {
      text = configText(t.dir, header);
      const outcome = await reloader.request('test');
      expect(outcome.result).toBe('applied');
      await sleep(200);
    }
    running = false;
    await writer;
    await waitFor(async () => new Set(await written(t.dir)).size >= lines.length, { timeoutMs: 60_000, what: 'every line' });
    expect(new Set(await written(t.dir))).toEqual(new Set(lines));
  });

  it('with the sink down, a reload and then a shutdown end within their deadlines, and a restart delivers every line', async () => {
    const t = await tempDir('rxflume-disk-reload-down-');
    cleanup = t.cleanup;
    const hdfsRoot = join(t.dir, 'hdfs');
    mkdirSync(hdfsRoot);
    const file = join(t.dir, 'in.log');
    const lines = Array.from({ length: 3000 }, (_, i) => `down-${String(i).padStart(7, '0')}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    emulator = await WebHdfsEmulator.start(hdfsRoot);
    for (const op of ['CREATE', 'APPEND'])
      emulator.fail({ op, stage: 'namenode', status: 503, exception: 'RetriableException', times: 1e9 });
    const sink = WEBHDFS_SINK(emulator.url());
    let text = configText(t.dir, 'one', sink, 1500);
    const first = await Agent.create(parseConfig(text, 'agent.yaml', {}), { logger: silentLogger() });
    agent = first;
    await first.start();
    const reloader = new ConfigReloader({ agent: first, load: async () => parseConfig(text, 'agent.yaml', {}), logger: silentLogger() });
    // The tail checkpoint advances once the lines are in the log, though no line reached the sink.
    const size = Buffer.byteLength(`${lines.join('\n')}\n`);
    const checkpointed = async () =>
      (await readFile(join(t.dir, 'state', 'source-lines.json'), 'utf8').catch(() => '')).includes(`"offset":${size}`);
    await waitFor(checkpointed, { timeoutMs: 60_000, what: 'the tail checkpoint at the end of the file' });

    text = configText(t.dir, 'two', sink, 1500);
    const outcome = await reloader.request('test');
    expect(outcome.result).toBe('applied');
    if (outcome.result === 'applied') expect(outcome.applied.drained).toBe(false);
    expect(await first.stop()).toEqual({ drained: false });
    agent = undefined;
    expect(await written(t.dir, true)).toEqual([]);

    emulator.clearFaults();
    const second = await Agent.create(parseConfig(text, 'agent.yaml', {}), { logger: silentLogger() });
    agent = second;
    await second.start();
    await waitFor(async () => new Set(await written(t.dir, true)).size >= lines.length, {
      timeoutMs: 60_000,
      what: 'every line after the restart',
    });
    expect(new Set(await written(t.dir, true))).toEqual(new Set(lines));
  }, 120_000);
});

/**
 * Small Flume agents run in-process with the sinks only imports produce:
 * - spooldir → logger: every event is logged with its headers and a body dump cut at
 *   maxBytesToLog, and logging counts as delivery (the spooled file is deleted once all are).
 * - spooldir → file_roll: the lines land in sink.directory, one per line, as Flume's TEXT
 *   serializer writes them.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFlumeConfig } from '../../src/config/load.js';
import { Agent } from '../../src/core/agent.js';
import { type Logger, silentLogger } from '../../src/core/logger.js';
import { dumpBody } from '../../src/flume/logger-sink.js';
import { tempDir, waitFor } from '../support/wait.js';

/** Builds an agent from a Flume properties text, keeping its state and dead letters under `dir`. */
async function createFlumeAgent(dir: string, conf: string, logger: Logger): Promise<Agent> {
  const config = parseFlumeConfig(conf, join(dir, 'a1.conf'), {});
  return Agent.create(
    {
      ...config,
      agent: { ...config.agent, stateDir: join(dir, 'state') },
      deadLetter: { ...config.deadLetter, dir: join(dir, 'dl') },
    },
    { logger },
  );
}

describe('logger sink', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('dumps bodies as Flume does: hex, then printable text, cut at maxBytes', () => {
    expect(dumpBody(Buffer.from('Hi\tthere'), 16)).toBe('48 69 09 74 68 65 72 65 Hi.there');
    expect(dumpBody(Buffer.from('0123456789'), 4)).toBe('30 31 32 33 0123 …');
  });

  it('logs every event of a spooled file, then the file is done', { timeout: 120_000 }, async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const spool = join(t.dir, 'spool');
    await mkdir(spool);
    const conf = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = spooldir',
      `a1.sources.r1.spoolDir = ${spool}`,
      'a1.sources.r1.deletePolicy = immediate',
      'a1.sources.r1.interceptors = s',
      'a1.sources.r1.interceptors.s.type = static',
      'a1.sources.r1.interceptors.s.key = logType',
      'a1.sources.r1.interceptors.s.value = demo',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.maxBytesToLog = 8',
      'a1.sinks.k1.channel = c1',
    ].join('\n');
    const logged: Array<{ msg: string; sink?: string; headers?: Record<string, string>; body?: string }> = [];
    const sinkStream = new Writable({
      write(chunk, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line));
        done();
      },
    });
    const agent = await createFlumeAgent(t.dir, conf, pino({ level: 'info' }, sinkStream));
    cleanups.push(() => agent.stop());
    await agent.start();
    await writeFile(join(t.dir, 'day.txt'), 'first line\nsecond\n');
    await rename(join(t.dir, 'day.txt'), join(spool, 'day.txt'));
    await waitFor(() => !existsSync(join(spool, 'day.txt')), { timeoutMs: 60_000, what: 'the spooled file to be done' });
    const events = logged.filter((l) => l.msg === 'Event');
    expect(events.map((e) => [e.sink, e.headers?.logType, e.body])).toEqual([
      ['k1', 'demo', '66 69 72 73 74 20 6C 69 first li …'],
      ['k1', 'demo', '73 65 63 6F 6E 64 second'],
    ]);
  });

  it('file_roll writes the lines into sink.directory', { timeout: 120_000 }, async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const spool = join(t.dir, 'spool');
    const out = join(t.dir, 'out');
    await mkdir(spool);
    const conf = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = spooldir',
      `a1.sources.r1.spoolDir = ${spool}`,
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = file_roll',
      `a1.sinks.k1.sink.directory = ${out}`,
      'a1.sinks.k1.sink.pathManager.extension = txt',
      'a1.sinks.k1.channel = c1',
    ].join('\n');
    const agent = await createFlumeAgent(t.dir, conf, silentLogger());
    cleanups.push(() => agent.stop());
    await agent.start();
    const lines = Array.from({ length: 250 }, (_, i) => `line ${i}`);
    await writeFile(join(t.dir, 'day.txt'), `${lines.join('\n')}\n`);
    await rename(join(t.dir, 'day.txt'), join(spool, 'day.txt'));
    await waitFor(() => existsSync(join(spool, 'day.txt.COMPLETED')), { timeoutMs: 60_000, what: 'the spooled file to be done' });
    const { drained } = await agent.stop();
    expect(drained).toBe(true);
    const files = await readdir(out);
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^FlumeData\.a1\.\d+\.txt$/);
    expect(await readFile(join(out, files[0] as string), 'utf8')).toBe(`${lines.join('\n')}\n`);
  });
});

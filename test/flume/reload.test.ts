/**
 * `rxflume run -c agent.conf` reloads a Flume file the way it loads it: SIGHUP (and
 * --watch-config) re-import the .conf, a valid change applies without losing a line, and a
 * broken one is rejected with the Flume key and line while the old config keeps running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, loggedEvents, startCli, waitForAgentStart } from '../support/cli.js';
import { DRIVING_HEADER, drivingAppender } from '../support/driving.js';
import { readLines } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

const IS_CAR_Z = /^\d{14},Z/;

/** A tail → memory channel → file_roll agent; `extra` adds interceptors after the line filter. */
function conf(dir: string, extra: string[] = []): string {
  const names = ['keep', ...extra.filter((l) => l.endsWith('.type = regex_filter')).map((l) => l.split('.')[4])];
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = exec',
    `a1.sources.r1.command = tail -F ${dir}/driving.log`,
    'a1.sources.r1.channels = c1',
    `a1.sources.r1.interceptors = ${names.join(' ')}`,
    'a1.sources.r1.interceptors.keep.type = regex_filter',
    'a1.sources.r1.interceptors.keep.regex = ^\\\\d{14}',
    ...extra,
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 10000',
    'a1.sinks.k1.type = file_roll',
    'a1.sinks.k1.channel = c1',
    `a1.sinks.k1.sink.directory = ${dir}/out`,
    'a1.sinks.k1.sink.rollInterval = 0',
    '',
  ].join('\n');
}

const DROP_CAR_Z = [
  'a1.sources.r1.interceptors.dropz.type = regex_filter',
  'a1.sources.r1.interceptors.dropz.regex = ^\\\\d{14},Z',
  'a1.sources.r1.interceptors.dropz.excludeEvents = true',
];

/** The lines file_roll wrote so far. */
const written = (dir: string): Promise<string[]> => readLines(join(dir, 'out'));

describe('rxflume run -c agent.conf: config reload', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    killAll();
    await cleanup();
  });

  it('SIGHUP re-imports the .conf: a change applies, a broken file is rejected in Flume terms', { timeout: 240_000 }, async () => {
    const t = await tempDir('rxflume-flume-reload-');
    cleanup = t.cleanup;
    const file = join(t.dir, 'agent.conf');
    writeFileSync(file, conf(t.dir));
    const log = join(t.dir, 'driving.log');
    writeFileSync(log, `${DRIVING_HEADER}\n`);
    const cli = startCli(['run', '-c', file], { cwd: t.dir });
    await waitForAgentStart(cli);
    const { write, lines } = drivingAppender(log);

    write(200);
    await waitFor(async () => (await written(t.dir)).length === 200, { timeoutMs: 60_000, what: 'the first lines' });

    writeFileSync(file, conf(t.dir, DROP_CAR_Z));
    cli.child.kill('SIGHUP');
    await waitFor(() => loggedEvents(cli, 'config reload applied').length === 1, {
      timeoutMs: 60_000,
      what: `the reload: ${cli.stderr()}`,
    });
    const firstAfter = lines.length;
    write(200);
    expect(lines.slice(firstAfter).some((l) => IS_CAR_Z.test(l))).toBe(true);
    const kept = () => lines.filter((l, i) => i < firstAfter || !IS_CAR_Z.test(l));
    await waitFor(async () => (await written(t.dir)).length === kept().length, { timeoutMs: 60_000, what: 'the lines after the reload' });

    writeFileSync(file, conf(t.dir, DROP_CAR_Z).replace('a1.channels.c1.capacity = 10000', 'a1.channels.c1.capacity = lots'));
    cli.child.kill('SIGHUP');
    await waitFor(() => loggedEvents(cli, 'config reload rejected').length === 1, { timeoutMs: 60_000, what: 'the rejection' });
    const rejection = loggedEvents(cli, 'config reload rejected')[0] as { problems: string[] };
    expect(rejection.problems).toEqual(['line 14: a1.channels.c1.capacity: "lots" is not a whole number']);

    write(100);
    await waitFor(async () => (await written(t.dir)).length === kept().length, {
      timeoutMs: 60_000,
      what: 'lines after the rejected reload',
    });
    cli.child.kill('SIGTERM');
    expect((await cli.exit).code).toBe(0);
    expect((await written(t.dir)).sort()).toEqual(kept().sort());
  });

  it('a SIGHUP while the config is still loading does not kill the agent: it reloads after the start', { timeout: 120_000 }, async () => {
    const t = await tempDir('rxflume-flume-early-hup-');
    cleanup = t.cleanup;
    const file = join(t.dir, 'agent.conf');
    writeFileSync(file, conf(t.dir));
    writeFileSync(join(t.dir, 'driving.log'), `${DRIVING_HEADER}\n`);
    const cli = startCli(['run', '-c', file], { cwd: t.dir });
    // The import's warnings are logged while the config loads, before the agent exists.
    let sent = false;
    cli.child.stderr?.on('data', () => {
      if (!sent && cli.stderr().includes('flume import:')) {
        sent = true;
        cli.child.kill('SIGHUP');
      }
    });
    await waitFor(() => loggedEvents(cli, 'agent started').length === 1 && loggedEvents(cli, 'config reload').length > 0, {
      timeoutMs: 60_000,
      what: `the agent to start and reload: ${cli.stderr()}`,
    });
    expect(sent).toBe(true);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });
});

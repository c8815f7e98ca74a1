/**
 * `rxflume run` reloads its config in a real child process: on SIGHUP, and with --watch-config
 * when an editor rename-saves the file. A valid change applies without losing a line, an invalid
 * one is logged with its config path, counted, and the old config keeps running; SIGTERM still
 * drains and exits 0 afterwards.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, killAll, loggedEvents, startCli, waitForAgentStart } from '../support/cli.js';
import { DRIVING_HEADER, drivingAppender } from '../support/driving.js';
import { readLines } from '../support/pilot.js';
import { tempDir, waitFor } from '../support/wait.js';

const IS_CAR_Z = /^\d{14},Z/;

function configText(dir: string, extraInterceptor = ''): string {
  return `
agent: { id: reload-cli, stateDir: ${dir}/state, drainTimeoutMs: 30000 }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  driving:
    type: tail
    path: ${dir}/driving.log
    startAt: beginning
    pollIntervalMs: 10
    schema: smartcar.DrivingEvent
    parseWorker: false
    interceptors:
      - { type: regex_filter, regex: '^\\d{14}' }${extraInterceptor}
    sinks: [out]
sinks:
  out: { type: hdfs, root: ${dir}/hdfs, path: /driving, filePrefix: driving, fileSuffix: .log, batchSize: 100, batchTimeoutMs: 10 }
`;
}

const DROP_CAR_Z = `
      - { type: regex_filter, regex: '^\\d{14},Z', excludeEvents: true }`;

/** The lines the hdfs sink wrote so far. */
const written = (dir: string): Promise<string[]> => readLines(join(dir, 'hdfs'));

async function metric(cli: CliProcess, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${cli.metricsUrl()}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('rxflume run: config reload', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    killAll();
    await cleanup();
  });

  async function setup(args: string[] = []) {
    const t = await tempDir('rxflume-reload-cli-');
    cleanup = t.cleanup;
    const config = join(t.dir, 'agent.yaml');
    writeFileSync(config, configText(t.dir));
    const log = join(t.dir, 'driving.log');
    writeFileSync(log, `${DRIVING_HEADER}\n`);
    const cli = startCli(['run', '-c', config, ...args]);
    await waitForAgentStart(cli);
    const { write, lines } = drivingAppender(log);
    return { dir: t.dir, config, cli, write, lines };
  }

  it('SIGHUP applies a valid change without losing a line, and rejects an invalid one with its path', async () => {
    const { dir, config, cli, write, lines } = await setup();
    write(300);
    await waitFor(async () => (await written(dir)).length === 300, { what: 'the first lines' });

    writeFileSync(config, configText(dir, DROP_CAR_Z));
    cli.child.kill('SIGHUP');
    await waitFor(() => loggedEvents(cli, 'config reload applied').length === 1, { what: `the reload: ${cli.stderr()}` });
    const firstAfter = lines.length;
    write(300);
    const expectedKept = lines.filter((l, i) => i < firstAfter || !IS_CAR_Z.test(l));
    await waitFor(async () => (await written(dir)).length === expectedKept.length, { what: 'the lines after the reload' });
    expect(lines.slice(firstAfter).some((l) => IS_CAR_Z.test(l))).toBe(true);

    writeFileSync(config, configText(dir, "\n      - { type: regex_filter, regex: '(' }"));
    cli.child.kill('SIGHUP');
    await waitFor(() => loggedEvents(cli, 'config reload rejected').length === 1, { what: 'the rejection' });
    const rejection = loggedEvents(cli, 'config reload rejected')[0] as { problems: string[]; file: string };
    expect(rejection.file).toBe(config);
    expect(rejection.problems[0]).toMatch(/^sources\.driving\.interceptors\[1\]\.regex: invalid regular expression/);
    expect(await metric(cli, 'rxflume_config_reloads_total{result="applied"}')).toBe(1);
    expect(await metric(cli, 'rxflume_config_reloads_total{result="rejected"}')).toBe(1);
    expect(await metric(cli, 'rxflume_config_last_reload_success')).toBe(0);

    // The old (last valid) config keeps running: car Z still filtered, nothing lost.
    write(100);
    const kept = lines.filter((l, i) => i < firstAfter || !IS_CAR_Z.test(l));
    await waitFor(async () => (await written(dir)).length === kept.length, { what: 'lines after the rejected reload' });

    cli.child.kill('SIGTERM');
    expect((await cli.exit).code).toBe(0);
    expect((await written(dir)).sort()).toEqual([...kept].sort());
  });

  it("--watch-config applies an editor's rename-save without a signal", async () => {
    const { dir, config, cli, write, lines } = await setup(['--watch-config']);
    write(200);
    await waitFor(async () => (await written(dir)).length === 200, { what: 'the first lines' });

    const swap = join(dir, '.agent.yaml.swp');
    writeFileSync(swap, configText(dir, DROP_CAR_Z));
    renameSync(swap, config);
    await waitFor(() => loggedEvents(cli, 'config reload applied').length === 1, { what: `the reload: ${cli.stderr()}` });
    expect(loggedEvents(cli, 'config reload: loading')[0]?.trigger).toBe('watch');
    const firstAfter = lines.length;
    write(200);
    const kept = lines.filter((l, i) => i < firstAfter || !IS_CAR_Z.test(l));
    await waitFor(async () => (await written(dir)).length === kept.length, { what: 'the lines after the reload' });

    cli.child.kill('SIGTERM');
    expect((await cli.exit).code).toBe(0);
    expect((await written(dir)).sort()).toEqual([...kept].sort());
    expect(loggedEvents(cli, 'config reload applied')).toHaveLength(1);
  });
});

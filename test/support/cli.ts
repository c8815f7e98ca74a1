/**
 * Runs the real CLI (`bin/rxflume.js`, i.e. the built dist/) as a child process, for tests that
 * need signals, kill -9 and exit codes. Every child started here is killed in `killAll`.
 *
 * `rxflume run` serves metrics on a port; tests run many CLIs at once, so unless the arguments
 * name `--metrics-address` (or `metricsAddress: 'config'` asks for the config's address), `run`
 * gets `--metrics-address 127.0.0.1:0` and `metricsUrl()` finds the bound address in the log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const BIN = fileURLToPath(new URL('../../bin/rxflume.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `http://127.0.0.1:PORT` of the metrics server, once the CLI logged it (undefined before). */
  readonly metricsUrl: () => string | undefined;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'config': leave the metrics address to the config file (default: a free port on 127.0.0.1). */
  metricsAddress?: 'config';
}

/** Adds `--metrics-address 127.0.0.1:0` to a `run` that does not choose an address itself. */
function withFreeMetricsPort(args: readonly string[], opts: CliOptions): readonly string[] {
  if (args[0] !== 'run' || opts.metricsAddress === 'config' || args.some((a) => a.startsWith('--metrics-address'))) return args;
  return [...args, '--metrics-address', '127.0.0.1:0'];
}

const running = new Set<ChildProcess>();

export function startCli(args: readonly string[], opts: CliOptions = {}): CliProcess {
  if (!existsSync(DIST_MAIN)) throw new Error('dist/ is missing: run `npm run build` before these tests (npm test does it)');
  const child = spawn(process.execPath, [BIN, ...withFreeMetricsPort(args, opts)], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const metricsUrl = (): string | undefined => {
    const m = /"metricsAddress":"([^"]+)"/.exec(err) ?? /"metricsAddress":"([^"]+)"/.exec(out);
    return m ? `http://${m[1]}` : undefined;
  };
  return { child, stdout: () => out, stderr: () => err, exit, metricsUrl };
}

/** Runs the CLI to completion. */
export async function runCli(args: readonly string[], opts: CliOptions = {}) {
  const p = startCli(args, opts);
  const { code } = await p.exit;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** The CLI's log records (pino JSON lines on stderr) whose message starts with `msg`. */
export function loggedEvents(cli: CliProcess, msg: string): Array<Record<string, unknown>> {
  return cli
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => typeof e.msg === 'string' && e.msg.startsWith(msg));
}

/** Waits until `run` logged "agent started" and its metrics address (the log shows on timeout). */
export async function waitForAgentStart(cli: CliProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => loggedEvents(cli, 'agent started').length === 1 && cli.metricsUrl(), {
    timeoutMs,
    what: `the agent to start: ${cli.stderr()}`,
  });
}

/**
 * The demo's simulators as child processes of the same CLI (`rxflume simulate …`), so the status
 * day's CPU-bound writing never stalls the agent or the live view in this process.
 *
 * `stop()` sends SIGTERM (the driving simulator finishes its step and flushes; the status
 * simulator dies mid-day and its hidden working file is removed, so the spool folder never sees a
 * partial day) and escalates to SIGKILL after 5 s. Children also get SIGKILL if this process
 * exits without stopping them; if it is killed outright (kill -9), their IPC channel closes and
 * the driving simulator stops by itself (src/cli/simulate.ts), the status simulator finishes its
 * day and exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rxflume.js', import.meta.url));

export interface SimulatorProcess {
  readonly name: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly running: () => boolean;
  /** Last lines of its stderr (for error messages). */
  readonly stderr: () => string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function startSimulator(name: string, args: readonly string[]): SimulatorProcess {
  // The IPC channel is only a lifeline: `simulate` stops when it disconnects (this process died).
  const child = spawn(process.execPath, [BIN, 'simulate', ...args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      done = true;
      children.delete(child);
      resolve(code);
    });
  });
  return {
    name,
    exited,
    running: () => !done,
    stderr: () => stderr.trim(),
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Removes working files a stopped status simulator left behind (`.<name>.<pid>.writing`). */
export function removeUnfinishedDays(workDir: string): void {
  let names: string[];
  try {
    names = readdirSync(workDir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith('.') && name.endsWith('.writing')) rmSync(join(workDir, name), { force: true });
}

/**
 * Watching the running agent from outside: its Prometheus exposition (counter balance), its
 * resident memory (/proc/<pid>/status VmRSS, sampled), and "everything arrived" waits.
 *
 * Counter balance (one agent run, once quiescent): every event a source read in this run was
 * either rejected by a stage (filtered header line, invalid → dead-lettered) or acknowledged by
 * its sink — received = rejected + acknowledged, and nothing is left in the buffers. With the
 * disk buffer a run also delivers what an earlier run left in the log, so there the check is
 * received − rejected ≤ acknowledged (everything read this run reached the sinks).
 */
import { readFileSync } from 'node:fs';
import type { CliProcess } from '../cli.js';
import { waitFor } from '../wait.js';
import type { BufferKind } from './buffers.js';
import type { FaultRig } from './rig.js';

/** Sum of the samples of `name` whose labels contain every `match` fragment (e.g. 'result="acknowledged"'). */
export function sumSeries(exposition: string, name: string, ...match: string[]): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!match.every((m) => line.includes(m))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function scrape(agent: CliProcess): Promise<string> {
  const url = await waitFor(() => agent.metricsUrl(), { what: 'the metrics address in the log' });
  const res = await fetch(`${url}/metrics`);
  return res.text();
}

export interface Balance {
  readonly received: number;
  readonly rejected: number;
  readonly acknowledged: number;
  readonly inBuffer: number;
}

export function balanceOf(exposition: string): Balance {
  return {
    received: sumSeries(exposition, 'rxflume_events_received_total', 'component_kind="source"'),
    rejected: sumSeries(exposition, 'rxflume_events_rejected_total'),
    acknowledged: sumSeries(exposition, 'rxflume_sink_events_total', 'result="acknowledged"'),
    inBuffer: sumSeries(exposition, 'rxflume_buffer_events'),
  };
}

/** Waits until the running agent's counters balance (quiescent), returning them. */
export async function waitBalanced(agent: CliProcess, buffer: BufferKind = 'memory', timeoutMs = 60_000): Promise<Balance> {
  let last: Balance | undefined;
  try {
    return await waitFor(
      async () => {
        last = balanceOf(await scrape(agent));
        const settled = last.received - last.rejected;
        const balanced = buffer === 'memory' ? settled === last.acknowledged : settled <= last.acknowledged;
        return last.inBuffer === 0 && balanced ? last : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'the counters to balance' },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last scrape: ${JSON.stringify(last)}`);
  }
}

/** Resident set size of a process in bytes (VmRSS), or undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; `max` is the peak seen. */
export function sampleRss(pid: number, intervalMs = 200): { stop(): number; readonly max: () => number } {
  let max = 0;
  const take = () => {
    max = Math.max(max, rssBytes(pid) ?? 0);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return max;
    },
    max: () => max,
  };
}

/** Waits until every driving line is on the topic and the spool folder is empty. */
export async function waitAllDelivered(rig: FaultRig, timeoutMs: number): Promise<void> {
  const missing = (): string[] => {
    const got = new Set(rig.reader.messages.map((m) => m.value.toString()));
    return rig.drivingIn.filter((l) => !got.has(l));
  };
  try {
    await waitFor(() => rig.spoolDone() && rig.reader.messages.length >= rig.drivingIn.length && missing().length === 0, {
      timeoutMs,
      intervalMs: 500,
      what: 'every driving line on the topic and an empty spool folder',
    });
  } catch (err) {
    // Say what is missing, so a lost line can be traced (driving line i is drivingLine(i)).
    const gone = missing();
    const at = gone.length > 0 ? rig.drivingIn.indexOf(gone[0] as string) : -1;
    throw new Error(
      `${(err as Error).message}: spool folder ${rig.spoolDone() ? 'empty' : 'not empty'}; ` +
        `${gone.length} of ${rig.drivingIn.length} driving lines missing` +
        (gone.length > 0 ? `, first at index ${at}, last at ${rig.drivingIn.indexOf(gone.at(-1) as string)}` : ''),
    );
  }
}

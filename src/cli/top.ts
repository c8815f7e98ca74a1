/**
 * `rxflume top [--url URL] [--interval-ms MS] [--once]`: the live view of a running agent (see
 * src/top/). On a terminal the view is redrawn in place; otherwise a plain block is printed per
 * interval. `--once` prints one reading and exits 0 (rates need two readings, so they show "-").
 * An agent that does not answer is an error (exit 1) with the URL; in the loop, a failed reading
 * is shown and retried at the next interval. SIGINT/SIGTERM end the loop with exit 0.
 */
import type { Command } from 'commander';
import { type AgentView, agentBaseUrl, fetchAgentView } from '../top/fetch.js';
import { renderView } from '../top/render.js';
import { type AgentReading, ratesBetween } from '../top/snapshot.js';
import { integerAtLeast } from './option-values.js';

const CLEAR = '\x1b[H\x1b[2J';

export function registerTop(program: Command): void {
  program
    .command('top')
    .description("live view of a running agent's metrics: lines/s per source and sink, buffers, dead-letters, readiness")
    .option('--url <url>', "the agent's metrics address (as served by `rxflume run`)", 'http://127.0.0.1:9464')
    .option('--interval-ms <ms>', 'time between readings', integerAtLeast('--interval-ms', 100), 1000)
    .option('--once', 'print one reading and exit')
    .action(async (opts: { url: string; intervalMs: number; once?: boolean }) => {
      const base = agentBaseUrl(opts.url);
      const tty = process.stdout.isTTY === true;
      if (opts.once) {
        const view = await fetchAgentView(base);
        process.stdout.write(renderView(view.reading, ratesBetween(undefined, view.reading), { url: base, readiness: view.readiness }));
        return;
      }
      // The first reading fails loudly: a wrong URL should not start an empty loop.
      let view: AgentView | undefined = await fetchAgentView(base);
      let prev: AgentReading | undefined;
      let stopped = false;
      let wake: () => void = () => undefined;
      const stop = () => {
        stopped = true;
        wake();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        while (!stopped) {
          if (view) {
            const text = renderView(view.reading, ratesBetween(prev, view.reading), { url: base, readiness: view.readiness, color: tty });
            process.stdout.write(tty ? `${CLEAR}${text}` : `${text}\n`);
            prev = view.reading;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, opts.intervalMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (stopped) break;
          try {
            view = await fetchAgentView(base);
          } catch (err) {
            process.stdout.write(`${tty ? CLEAR : ''}${(err as Error).message}; retrying\n${tty ? '' : '\n'}`);
            view = undefined;
            prev = undefined;
          }
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/**
 * The live view as text: a header (metrics URL, readiness, time), a table of sources (lines/s
 * in, totals, filtered, dead-lettered, buffer fill) and a table of sinks (lines/s delivered,
 * totals, dead-lettered = batches the sink refused for good, failed, files rolled, connection; a
 * Kafka sink's "delivered" are broker acks). Plain
 * ASCII columns; with `color` a little ANSI (bold headings, red for trouble). `top` and the demo
 * print the same view.
 */
import type { AgentReading, Rates } from './snapshot.js';

export interface ViewContext {
  readonly url?: string;
  /** From /readyz: undefined when unknown. */
  readonly readiness?: { readonly ready: boolean; readonly notReady: readonly string[] };
  readonly color?: boolean;
  /** Extra lines under the header (the demo's simulator state). */
  readonly notes?: readonly string[];
}

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const rate = (v: number | undefined): string => (v === undefined ? '-' : n(v));

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, (row[i] as string).length);
  }
  // First column left-aligned (names), the rest right-aligned (numbers), last one left (states).
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

export function renderView(reading: AgentReading, rates: Rates, ctx: ViewContext = {}): string {
  const bold = (s: string) => (ctx.color ? `\x1b[1m${s}\x1b[0m` : s);
  const red = (s: string) => (ctx.color ? `\x1b[31m${s}\x1b[0m` : s);
  const ready =
    ctx.readiness === undefined
      ? 'readiness unknown'
      : ctx.readiness.ready
        ? 'ready'
        : red(`NOT READY: ${ctx.readiness.notReady.join('; ')}`);
  const title = bold(ctx.url ? `rxflume ${ctx.url}/metrics` : 'rxflume');
  const out: string[] = [`${title}  ${ready}  ${clock(reading.atMs)}`];
  for (const note of ctx.notes ?? []) out.push(note);
  out.push('');
  const sourceRows = [['source', 'in/s', 'in', 'filtered', 'dead-lettered', 'buffer']];
  for (const s of reading.sources) {
    const fill = `${Math.round(s.bufferFill * 100)}% (${n(s.bufferEvents)}/${n(s.bufferCapacity)})`;
    sourceRows.push([s.id, rate(rates.in.get(s.id)), n(s.received), n(s.filtered), n(s.deadLettered), fill]);
  }
  const [sourceHead, ...sourceBody] = table(sourceRows);
  out.push(bold(sourceHead ?? ''), ...sourceBody, '');
  const sinkRows = [['sink', 'out/s', 'delivered', 'dead-lettered', 'failed', 'files rolled', 'connection']];
  for (const s of reading.sinks) {
    const connection = s.connected === undefined ? 'local' : s.connected ? 'connected' : red('DISCONNECTED');
    sinkRows.push([
      s.id,
      rate(rates.out.get(s.id)),
      n(s.delivered),
      n(s.deadLettered),
      n(s.failed),
      s.filesRolled === undefined ? '-' : n(s.filesRolled),
      connection,
    ]);
  }
  const [sinkHead, ...sinkBody] = table(sinkRows);
  out.push(bold(sinkHead ?? ''), ...sinkBody);
  return `${out.join('\n')}\n`;
}

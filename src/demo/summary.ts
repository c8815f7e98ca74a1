/**
 * The demo's closing summary: per source, lines in, filtered (interceptors), dead-lettered
 * (validator, plus permanent sink rejections) and delivered per sink, and whether
 * in = out + filtered + dead-lettered holds for every sink of every source. A batch read just as
 * the agent stopped and released unsent is shown as "released at stop" and balances too (it was
 * never checkpointed, so the next run reads it again). Events refused by a full buffer or failed
 * by a sink are shown as "lost" and break the balance (they should be 0). Events a sink never
 * settled (the drain was cut short, e.g. the broker went away) are shown as "unsettled at <sink>"
 * and break the balance too, so a mismatch always says where the difference is.
 * The balance assumes a sink serves one source (true of the pilot config); a sink shared by
 * several sources is compared with their sum.
 */
import type { AgentReading } from '../top/snapshot.js';

export interface SourceSummary {
  readonly id: string;
  readonly in: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly lost: number;
  readonly released: number;
  readonly delivered: Readonly<Record<string, number>>;
  /**
   * Per sink with a gap: events that should have reached it but were neither delivered,
   * dead-lettered nor failed (a drain cut short leaves them unacknowledged, so they are read
   * again next run); negative when the sink reported more than its sources sent it.
   */
  readonly unsettled: Readonly<Record<string, number>>;
  readonly balanced: boolean;
}

export interface DemoSummary {
  readonly sources: readonly SourceSummary[];
  readonly balanced: boolean;
}

export function summarize(reading: AgentReading, sinksOf: ReadonlyMap<string, readonly string[]>): DemoSummary {
  const sink = new Map(reading.sinks.map((s) => [s.id, s]));
  // Sources per sink, so a shared sink is compared with the sum of its sources.
  const sourcesOf = new Map<string, string[]>();
  for (const [source, sinks] of sinksOf) for (const k of sinks) sourcesOf.set(k, [...(sourcesOf.get(k) ?? []), source]);
  const expectedAt = (sinkId: string): number => {
    let total = 0;
    for (const id of sourcesOf.get(sinkId) ?? []) {
      const s = reading.sources.find((r) => r.id === id);
      if (s) total += s.received - s.filtered - s.deadLettered - s.dropped - s.released;
    }
    return total;
  };
  const sources = reading.sources.map((s): SourceSummary => {
    const delivered: Record<string, number> = {};
    const unsettled: Record<string, number> = {};
    let balanced = s.dropped === 0;
    let sinkDeadLettered = 0;
    let lost = s.dropped;
    for (const id of sinksOf.get(s.id) ?? []) {
      const k = sink.get(id);
      delivered[id] = k?.delivered ?? 0;
      sinkDeadLettered += k?.deadLettered ?? 0;
      lost += k?.failed ?? 0;
      const gap = expectedAt(id) - (k ? k.delivered + k.deadLettered + k.failed : 0);
      if (gap !== 0) unsettled[id] = gap;
      if (!k || gap !== 0 || k.failed > 0) balanced = false;
    }
    return {
      id: s.id,
      in: s.received,
      filtered: s.filtered,
      deadLettered: s.deadLettered + sinkDeadLettered,
      lost,
      released: s.released,
      delivered,
      unsettled,
      balanced,
    };
  });
  return { sources, balanced: sources.every((s) => s.balanced) };
}

const n = (v: number): string => v.toLocaleString('en-US');

export function formatSummary(summary: DemoSummary): string {
  const lines: string[] = [];
  for (const s of summary.sources) {
    const out = Object.entries(s.delivered)
      .map(([id, v]) => `${id} ${n(v)}`)
      .join(', ');
    const released = s.released > 0 ? ` + released at stop ${n(s.released)} (read again next run)` : '';
    const lost = s.lost > 0 ? `, lost ${n(s.lost)}` : '';
    const gaps = Object.entries(s.unsettled)
      .map(([id, v]) =>
        v > 0
          ? ` + unsettled at ${id} ${n(v)} (never acknowledged: read again next run)`
          : `, ${id} reported ${n(-v)} more than it was sent`,
      )
      .join('');
    lines.push(
      `  ${s.id}: in ${n(s.in)} = out ${out || '(no sink)'} + filtered ${n(s.filtered)} + dead-lettered ${n(s.deadLettered)}${released}${gaps}${lost}  ${s.balanced ? 'ok' : 'MISMATCH'}`,
    );
  }
  lines.push(`balanced: ${summary.balanced ? 'yes' : 'NO'} (in = out + filtered + dead-lettered, per source and sink)`);
  return `${lines.join('\n')}\n`;
}

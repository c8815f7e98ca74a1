/**
 * Routes the events of a batch to buckets: a bucket is a rendered directory plus a rendered file
 * prefix, i.e. one open file at a time.
 *
 * Event time for time escapes: the `timestamp` header (epoch milliseconds) unless
 * `useLocalTimeStamp` is set or the header is absent or not a number; then the agent clock
 * (`now()`, read once per batch).
 *
 * Invariants: events keep their batch order within a bucket; buckets come in order of first
 * appearance. Directories are normalized absolute POSIX paths (so `a//b/` and `a/b` are one
 * bucket); a '/' rendered into the prefix (from a header) becomes '_' so a prefix never changes
 * the directory. With constant templates the batch is one bucket and no per-event work is done.
 *
 * Performance: an event whose template inputs (the headers the templates use, and the event time
 * at the templates' granularity: 1 s, or 1 ms with `%t`) equal the previous event's joins the
 * previous bucket without rendering, so a run of alike events costs a few property reads each;
 * a timestamp header equal to the previous one is not converted again.
 */
import { posix } from 'node:path';
import { type FlumeEvent, type Headers, peekHeaders } from '../../core/event.js';
import { ZonedCalendar } from './calendar.js';
import { type CompiledTemplate, compilePathTemplate } from './path-template.js';

export interface BucketGroup {
  readonly dir: string;
  readonly prefix: string;
  readonly events: FlumeEvent[];
}

/** A group while the batch is routed (its events array may still be replaced). */
type Building = { -readonly [K in keyof BucketGroup]: BucketGroup[K] };

export interface RouterOptions {
  readonly path: string;
  readonly filePrefix: string;
  readonly timeZone: string;
  readonly useLocalTimeStamp: boolean;
}

export function normalizeDir(rendered: string): string {
  const dir = posix.normalize(`/${rendered}`);
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

export class BucketRouter {
  private readonly dir: CompiledTemplate;
  private readonly prefix: CompiledTemplate;
  private readonly usesTime: boolean;
  private readonly headerNames: readonly string[];
  private readonly timeSlotMs: number;

  constructor(
    private readonly opts: RouterOptions,
    private readonly now: () => number,
  ) {
    const calendar = new ZonedCalendar(opts.timeZone);
    this.dir = compilePathTemplate(opts.path, calendar);
    this.prefix = compilePathTemplate(opts.filePrefix, calendar);
    this.usesTime = this.dir.usesTime || this.prefix.usesTime;
    this.headerNames = [...new Set([...this.dir.headerNames, ...this.prefix.headerNames])];
    this.timeSlotMs = this.dir.usesMillis || this.prefix.usesMillis ? 1 : 1000;
  }

  route(events: FlumeEvent[]): BucketGroup[] {
    if (events.length === 0) return [];
    if (this.dir.isConstant && this.prefix.isConstant) {
      return [{ dir: normalizeDir(this.dir.render({}, 0)), prefix: cleanPrefix(this.prefix.render({}, 0)), events }];
    }
    const batchNow = this.now();
    // Raw renderings map to buckets; renderings that differ only before normalization ('a//b'
    // and 'a/b') share one bucket object, so order within a bucket stays the batch order.
    const byRaw = new Map<string, Building>();
    const byBucket = new Map<string, Building>();
    const names = this.headerNames;
    let previous: FlumeEvent | undefined;
    let previousSlot = Number.NaN;
    let previousGroup: Building | undefined;
    // While every event so far goes to the first group they are not copied: a batch that is one
    // bucket (the usual case) is answered with its own events array.
    let first: Building | undefined;
    let together = true;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as FlumeEvent;
      const time = this.usesTime ? this.eventTime(event, batchNow) : batchNow;
      const slot = Math.floor(time / this.timeSlotMs);
      let group: Building;
      if (previousGroup && slot === previousSlot && sameHeaders(names, event, previous as FlumeEvent)) {
        group = previousGroup;
      } else {
        const headers = peekHeaders(event);
        const dir = this.dir.render(headers, time);
        const prefix = this.prefix.render(headers, time);
        const raw = `${dir}\u0000${prefix}`;
        let found = byRaw.get(raw);
        if (!found) {
          const bucket = { dir: normalizeDir(dir), prefix: cleanPrefix(prefix) };
          const key = `${bucket.dir}\u0000${bucket.prefix}`;
          found = byBucket.get(key);
          if (!found) {
            found = { ...bucket, events: [] };
            byBucket.set(key, found);
          }
          byRaw.set(raw, found);
        }
        group = found;
        previousSlot = slot;
      }
      previous = event;
      previousGroup = group;
      if (together) {
        if (first === undefined) first = group;
        if (group === first) continue;
        together = false;
        first.events = events.slice(0, i);
      }
      group.events.push(event);
    }
    if (together && first) first.events = events;
    return [...byBucket.values()];
  }

  // The last timestamp header text and its value: a batch stamped by one interceptor carries the
  // same text (often the same string) on every event, so it is converted once per run.
  private lastHeader: string | undefined;
  private lastMs = Number.NaN;

  private eventTime(event: FlumeEvent, batchNow: number): number {
    if (this.opts.useLocalTimeStamp) return batchNow;
    const header = peekHeaders(event).timestamp;
    if (header === undefined) return batchNow;
    let ms: number;
    if (header === this.lastHeader) ms = this.lastMs;
    else {
      ms = Number(header);
      this.lastHeader = header;
      this.lastMs = ms;
    }
    return Number.isFinite(ms) ? ms : batchNow;
  }
}

function sameHeaders(names: readonly string[], a: FlumeEvent, b: FlumeEvent): boolean {
  const ha: Readonly<Headers> = peekHeaders(a);
  const hb: Readonly<Headers> = peekHeaders(b);
  if (ha === hb) return true; // shared headers (see SharedHeadersHolder): nothing to compare
  for (const name of names) if (ha[name] !== hb[name]) return false;
  return true;
}

function cleanPrefix(prefix: string): string {
  return prefix.includes('/') ? prefix.replaceAll('/', '_') : prefix;
}

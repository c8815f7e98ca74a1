/**
 * Calendar fields of an instant in one time zone, for the time escapes of path templates.
 *
 * Invariants: fields are zero-padded strings ready to concatenate; the last second computed is
 * cached, so a batch whose events share a second (the usual case: one ingest timestamp per batch
 * or close to it) pays for the calendar arithmetic once, not once per event.
 *
 * Time zones: `local` (the process zone, through Date getters), `UTC` (Date UTC getters) or any
 * IANA name (Intl.DateTimeFormat, validated by `isValidTimeZone` at config time).
 */

export interface CalendarFields {
  /** 4-digit year (`%Y`). */
  readonly year: string;
  /** 2-digit year (`%y`). */
  readonly year2: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
  /** 3-digit day of the year, 001–366 (`%j`). */
  readonly dayOfYear: string;
}

export function isValidTimeZone(zone: string): boolean {
  if (zone === 'local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class ZonedCalendar {
  private cachedSecond = Number.NaN;
  private cached: CalendarFields | undefined;
  private readonly intl: Intl.DateTimeFormat | undefined;
  private readonly utc: boolean;

  constructor(readonly timeZone: string) {
    this.utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
    this.intl =
      timeZone === 'local' || this.utc
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  fields(epochMs: number): CalendarFields {
    const second = Math.floor(epochMs / 1000);
    if (second === this.cachedSecond && this.cached) return this.cached;
    const f = this.compute(second * 1000);
    this.cachedSecond = second;
    this.cached = f;
    return f;
  }

  private compute(ms: number): CalendarFields {
    const d = new Date(ms);
    let y: number;
    let mo: number;
    let day: number;
    let h: number;
    let mi: number;
    let s: number;
    if (this.intl) {
      const parts: Record<string, number> = {};
      for (const p of this.intl.formatToParts(d)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      y = parts.year ?? 0;
      mo = parts.month ?? 1;
      day = parts.day ?? 1;
      h = parts.hour ?? 0;
      mi = parts.minute ?? 0;
      s = parts.second ?? 0;
    } else if (this.utc) {
      y = d.getUTCFullYear();
      mo = d.getUTCMonth() + 1;
      day = d.getUTCDate();
      h = d.getUTCHours();
      mi = d.getUTCMinutes();
      s = d.getUTCSeconds();
    } else {
      y = d.getFullYear();
      mo = d.getMonth() + 1;
      day = d.getDate();
      h = d.getHours();
      mi = d.getMinutes();
      s = d.getSeconds();
    }
    // Day of year from the civil date alone (UTC arithmetic avoids DST-length days).
    const doy = Math.round((Date.UTC(y, mo - 1, day) - Date.UTC(y, 0, 1)) / 86_400_000) + 1;
    return {
      year: String(y).padStart(4, '0'),
      year2: String(y % 100).padStart(2, '0'),
      month: pad2(mo),
      day: pad2(day),
      hour: pad2(h),
      minute: pad2(mi),
      second: pad2(s),
      dayOfYear: String(doy).padStart(3, '0'),
    };
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

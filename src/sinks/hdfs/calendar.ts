/**
 * Calendar fields of an instant in one time zone, as path-template escapes render them: the
 * zero-padded view over the shared CivilCalendar (core/time/zoned-calendar.ts), which does the
 * zone arithmetic for interceptors too.
 *
 * Invariants: fields are zero-padded strings ready to concatenate; the last second computed is
 * cached, so a batch whose events share a second (the usual case: one ingest timestamp per batch
 * or close to it) pays for the calendar arithmetic once, not once per event.
 *
 * Time zones: `local`, `UTC` or any IANA name, validated by `isValidTimeZone` at config time.
 */
import { CivilCalendar, dayOfYear } from '../../core/time/zoned-calendar.js';

export { isValidTimeZone } from '../../core/time/zoned-calendar.js';

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

export class ZonedCalendar {
  private cachedSecond = Number.NaN;
  private cached: CalendarFields | undefined;
  private readonly calendar: CivilCalendar;

  constructor(readonly timeZone: string) {
    this.calendar = new CivilCalendar(timeZone);
  }

  fields(epochMs: number): CalendarFields {
    const second = Math.floor(epochMs / 1000);
    if (second === this.cachedSecond && this.cached) return this.cached;
    const t = this.calendar.civil(second * 1000);
    const f: CalendarFields = {
      year: String(t.year).padStart(4, '0'),
      year2: String(t.year % 100).padStart(2, '0'),
      month: pad2(t.month),
      day: pad2(t.day),
      hour: pad2(t.hour),
      minute: pad2(t.minute),
      second: pad2(t.second),
      dayOfYear: String(dayOfYear(t)).padStart(3, '0'),
    };
    this.cachedSecond = second;
    this.cached = f;
    return f;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

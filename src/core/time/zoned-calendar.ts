/**
 * Civil (wall-clock) time of an instant in one time zone, and back: the calendar arithmetic shared
 * by the date patterns of interceptors and the time escapes of HDFS path templates.
 *
 * A zone is `local` (the process zone, through Date getters), `UTC`/`Etc/UTC` (Date UTC getters,
 * the cheapest path) or any IANA name this runtime knows (one Intl.DateTimeFormat per calendar,
 * built once). `isValidTimeZone` is the config-time check, so constructing a calendar for a
 * validated zone never throws.
 *
 * Invariants: `civil` is pure and uncached (callers cache what they render, per second or per
 * millisecond, where the real saving is); `toEpochMs(civil(ms)) === ms` for every instant; a wall
 * time inside a DST gap maps to an instant next to the gap, one in an overlap to one of the two.
 */

/** Calendar fields of an instant; `month` is 1–12, `hour` 0–23. */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** True for `local` or a zone name Intl accepts (`UTC`, `Asia/Seoul`). */
export function isValidTimeZone(zone: string): boolean {
  if (zone === 'local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Day of the year, 1–366, from the civil date alone (UTC arithmetic avoids DST-length days). */
export function dayOfYear(t: Pick<CivilTime, 'year' | 'month' | 'day'>): number {
  return Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1;
}

type ZoneKind = 'local' | 'utc' | 'intl';

export class CivilCalendar {
  private readonly kind: ZoneKind;
  private readonly intl: Intl.DateTimeFormat | undefined;

  constructor(readonly timeZone: string) {
    this.kind = timeZone === 'local' ? 'local' : timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'utc' : 'intl';
    this.intl =
      this.kind === 'intl'
        ? new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          })
        : undefined;
  }

  /** Calendar fields of `epochMs` in this zone. */
  civil(epochMs: number): CivilTime {
    const d = new Date(epochMs);
    if (this.kind === 'local') {
      return {
        year: d.getFullYear(),
        month: d.getMonth() + 1,
        day: d.getDate(),
        hour: d.getHours(),
        minute: d.getMinutes(),
        second: d.getSeconds(),
        millisecond: d.getMilliseconds(),
      };
    }
    if (this.kind === 'utc' || !this.intl) {
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        millisecond: d.getUTCMilliseconds(),
      };
    }
    // Intl has no millisecond part; zone offsets are whole seconds, so it is the UTC one.
    const t: CivilTime = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: d.getUTCMilliseconds() };
    for (const p of this.intl.formatToParts(d)) {
      if (p.type === 'year') t.year = Number(p.value);
      else if (p.type === 'month') t.month = Number(p.value);
      else if (p.type === 'day') t.day = Number(p.value);
      else if (p.type === 'hour') t.hour = Number(p.value);
      else if (p.type === 'minute') t.minute = Number(p.value);
      else if (p.type === 'second') t.second = Number(p.value);
    }
    return t;
  }

  /** Epoch millis of a wall time in this zone (fields out of range roll over, as Date does). */
  toEpochMs(t: CivilTime): number {
    if (this.kind === 'local') return new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.millisecond).getTime();
    const wall = utcOf(t);
    if (this.kind === 'utc') return wall;
    // Guess the wall time as UTC, then correct by the zone's offset there (twice, for DST edges).
    let ms = wall;
    for (let k = 0; k < 2; k++) ms += wall - utcOf(this.civil(ms));
    return ms;
  }
}

function utcOf(t: CivilTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.millisecond);
}

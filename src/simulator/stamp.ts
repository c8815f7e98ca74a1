/**
 * `yyyyMMddHHmmss` time stamps of the pilot logs. Simulated clocks count seconds from midnight
 * of a `yyyyMMdd` day; the status log keeps counting past 23:59:59 as hour 24 (the original's
 * quirk), the driving log rolls over into the next day like a real clock.
 */

const DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** Throws a clear error unless `date` is a real calendar day written yyyyMMdd. */
export function checkDate(date: string): void {
  const m = DATE.exec(date);
  if (!m) throw new Error(`date must be yyyyMMdd, got "${date}"`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Date.UTC rolls 20190230 over into March: a day that does not round-trip does not exist.
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() + 1 !== Number(m[2]) || d.getUTCDate() !== Number(m[3])) {
    throw new Error(`${date} is not a calendar day (expected yyyyMMdd)`);
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `date` + HHmmss of `second` after midnight, hours not wrapped (86400 → `240000`). */
export function dayStamp(date: string, second: number): string {
  const h = Math.floor(second / 3600);
  return `${date}${two(h)}${two(Math.floor((second % 3600) / 60))}${two(second % 60)}`;
}

/** Midnight (UTC-based, zone-free) of a yyyyMMdd day, in ms. */
export function dayStartMs(date: string): number {
  checkDate(date);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
}

/** `yyyyMMddHHmmss` of an instant, read as a zone-free (UTC) clock. */
export function clockStamp(ms: number): string {
  const t = new Date(ms);
  return `${t.getUTCFullYear()}${two(t.getUTCMonth() + 1)}${two(t.getUTCDate())}${two(t.getUTCHours())}${two(t.getUTCMinutes())}${two(t.getUTCSeconds())}`;
}

/** Today's yyyyMMdd in the local zone (the demo's simulated and collection day). */
export function localToday(now = Date.now()): string {
  const d = new Date(now);
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}`;
}

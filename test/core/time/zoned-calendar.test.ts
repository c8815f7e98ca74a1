import { describe, expect, it } from 'vitest';
import { CivilCalendar, type CivilTime, dayOfYear, isValidTimeZone } from '../../../src/core/time/zoned-calendar.js';

// 2016-02-29T23:04:05.678Z (a leap day) = 2016-03-01 08:04:05.678 in Seoul (UTC+9).
const T = Date.UTC(2016, 1, 29, 23, 4, 5, 678);

const civil = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): CivilTime => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
  millisecond,
});

describe('zoned calendar', () => {
  it.each([
    ['UTC', civil(2016, 2, 29, 23, 4, 5, 678)],
    ['Etc/UTC', civil(2016, 2, 29, 23, 4, 5, 678)],
    ['Asia/Seoul', civil(2016, 3, 1, 8, 4, 5, 678)],
    ['America/New_York', civil(2016, 2, 29, 18, 4, 5, 678)],
  ])('reads the calendar fields of an instant in %s', (zone, expected) => {
    expect(new CivilCalendar(zone).civil(T)).toEqual(expected);
  });

  it('reads local time through the process zone', () => {
    const d = new Date(T);
    expect(new CivilCalendar('local').civil(T)).toEqual(
      civil(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()),
    );
  });

  it('gives the millisecond of instants before 1970 as a positive number', () => {
    const before = Date.UTC(1969, 11, 31, 23, 59, 59, 250);
    expect(new CivilCalendar('Asia/Seoul').civil(before)).toEqual(civil(1970, 1, 1, 8, 59, 59, 250));
  });

  it.each(['UTC', 'Asia/Seoul', 'America/New_York', 'Europe/London', 'local'])('round-trips instants through wall time in %s', (zone) => {
    const calendar = new CivilCalendar(zone);
    for (const ms of [T, Date.UTC(2024, 2, 10, 7, 30), Date.UTC(2024, 10, 3, 5, 30, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59, 999)]) {
      expect(calendar.toEpochMs(calendar.civil(ms))).toBe(ms);
    }
  });

  it('maps a wall time to the instant across zone offsets, DST included', () => {
    const ny = new CivilCalendar('America/New_York');
    expect(ny.toEpochMs(civil(2024, 7, 10, 12))).toBe(Date.UTC(2024, 6, 10, 16));
    expect(ny.toEpochMs(civil(2024, 1, 10, 12))).toBe(Date.UTC(2024, 0, 10, 17));
    // 02:30 does not exist on 2024-03-10 in New York: an instant next to the gap, never NaN.
    const gap = ny.toEpochMs(civil(2024, 3, 10, 2, 30));
    expect(Math.abs(gap - Date.UTC(2024, 2, 10, 7, 0))).toBeLessThanOrEqual(3_600_000);
  });

  it('counts the day of the year from the civil date', () => {
    expect(dayOfYear(civil(2016, 1, 1))).toBe(1);
    expect(dayOfYear(civil(2016, 3, 1))).toBe(61);
    expect(dayOfYear(civil(2015, 3, 1))).toBe(60);
    expect(dayOfYear(civil(2016, 12, 31))).toBe(366);
  });

  it.each([
    ['local', true],
    ['UTC', true],
    ['Asia/Seoul', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('validates the zone name %j', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

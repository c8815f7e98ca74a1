import { describe, expect, it } from 'vitest';
import { compileDatePattern } from '../../src/interceptors/date-format.js';

// 2024-01-01T15:30:45.678Z = 2024-01-02 00:30:45.678 in Seoul (UTC+9).
const T = Date.UTC(2024, 0, 1, 15, 30, 45, 678);

describe('date patterns', () => {
  it.each([
    ['yyyyMMdd', 'UTC', '20240101'],
    ['yyyyMMdd', 'Asia/Seoul', '20240102'],
    ['yyyy-MM-dd HH:mm:ss.SSS', 'UTC', '2024-01-01 15:30:45.678'],
    ["yyyy-MM-dd'T'HH:mm", 'Asia/Seoul', '2024-01-02T00:30'],
    ["'day' dd, HH 'o''clock' ''", 'UTC', "day 01, 15 o'clock '"],
  ])('formats %s in %s', (pattern, zone, expected) => {
    expect(compileDatePattern(pattern, zone).format(T)).toBe(expected);
  });

  it('formats in the process zone for local', () => {
    const d = new Date(T);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(compileDatePattern('yyyyMMddHH').format(T)).toBe(
      `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}`,
    );
  });

  it('renders again when the second changes (cache per second)', () => {
    const p = compileDatePattern('HH:mm:ss', 'UTC');
    expect(p.format(T)).toBe('15:30:45');
    expect(p.format(T + 100)).toBe('15:30:45');
    expect(p.format(T + 1000)).toBe('15:30:46');
    expect(p.format(T)).toBe('15:30:45');
  });

  it.each([
    ['yyyy-MM-dd HH:mm', '2024-01-01 15:30', 'UTC', Date.UTC(2024, 0, 1, 15, 30)],
    ['yyyy-MM-dd HH:mm', '2024-01-02 00:30', 'Asia/Seoul', Date.UTC(2024, 0, 1, 15, 30)],
    ['yyyyMMddHHmmss', '20240710120000', 'America/New_York', Date.UTC(2024, 6, 10, 16)],
    ['yyyyMMddHHmmss', '20240110120000', 'America/New_York', Date.UTC(2024, 0, 10, 17)],
    ['yyyy-MM-dd', '2024-02-30', 'UTC', undefined],
    ['yyyy-MM-dd', '2024-13-01', 'UTC', undefined],
    ['yyyy-MM-dd', '2024-1-01', 'UTC', undefined],
    ['yyyy-MM-dd', 'x2024-01-01', 'UTC', undefined],
  ])('parses %s from %s in %s', (pattern, text, zone, expected) => {
    expect(compileDatePattern(pattern, zone).parse(text)).toBe(expected);
  });

  it('parses in the process zone for local', () => {
    expect(compileDatePattern('yyyy-MM-dd HH:mm:ss').parse('2024-05-06 07:08:09')).toBe(new Date(2024, 4, 6, 7, 8, 9).getTime());
  });

  it.each([
    ['yyMMdd', 'date pattern "yyMMdd": unsupported "yy" (supported: yyyy, MM, dd, HH, mm, ss, SSS)'],
    ['EEE yyyy', 'date pattern "EEE yyyy": unsupported "EEE"'],
    ["yyyy'T", 'date pattern "yyyy\'T": unterminated quote'],
  ])('refuses %s', (pattern, message) => {
    expect(() => compileDatePattern(pattern)).toThrow(message);
  });
});

import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ZonedCalendar } from '../../../src/sinks/hdfs/calendar.js';
import { compilePathTemplate, PathTemplateError } from '../../../src/sinks/hdfs/path-template.js';
import { BucketRouter, normalizeDir } from '../../../src/sinks/hdfs/router.js';
import { makeEvent } from './support.js';

// 2016-02-29 23:04:05.678 UTC (a leap day: day of year 060) = 2016-03-01 08:04:05 in Seoul.
const T = Date.UTC(2016, 1, 29, 23, 4, 5, 678);
const utc = new ZonedCalendar('UTC');

describe('path templates', () => {
  const table: Array<[string, string]> = [
    ['/plain/dir', '/plain/dir'],
    ['%Y-%m-%d %H:%M:%S', '2016-02-29 23:04:05'],
    ['%y/%j', '16/060'],
    ['%s', String(Math.floor(T / 1000))],
    ['%t', String(T)],
    ['/c/%{logType}/wrk_date=%Y%m%d', '/c/car-batch-log/wrk_date=20160229'],
    ['%{missing}x', 'x'],
    ['100%%', '100%'],
    ['%%{logType}', '%{logType}'],
    ['%[localhost]', hostname().split('.')[0] ?? ''],
    ['%[FQDN]', hostname()],
  ];
  for (const [template, expected] of table) {
    it(`renders ${JSON.stringify(template)}`, () => {
      expect(compilePathTemplate(template, utc).render({ logType: 'car-batch-log' }, T)).toBe(expected);
    });
  }

  it('renders %[IP] as an IPv4 address', () => {
    expect(compilePathTemplate('%[IP]', utc).render({}, T)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('renders calendar fields in the configured time zone', () => {
    expect(compilePathTemplate('%Y%m%d-%H', new ZonedCalendar('Asia/Seoul')).render({}, T)).toBe('20160301-08');
    expect(compilePathTemplate('%j', new ZonedCalendar('Asia/Seoul')).render({}, T)).toBe('061');
    const local = new Date(T);
    const expected = `${local.getFullYear()}${String(local.getMonth() + 1).padStart(2, '0')}${String(local.getDate()).padStart(2, '0')}`;
    expect(compilePathTemplate('%Y%m%d', new ZonedCalendar('local')).render({}, T)).toBe(expected);
  });

  it('keeps the per-second cache correct across seconds and zones', () => {
    const t = compilePathTemplate('%H%M%S', utc);
    expect(t.render({}, T)).toBe('230405');
    expect(t.render({}, T + 300)).toBe('230405');
    expect(t.render({}, T + 1000)).toBe('230406');
    expect(t.render({}, T - 86_400_000)).toBe('230405');
  });

  it('reports whether a template is constant or time-dependent', () => {
    expect(compilePathTemplate('/a/%[localhost]/%%', utc)).toMatchObject({ isConstant: true, usesTime: false });
    expect(compilePathTemplate('/a/%{h}', utc)).toMatchObject({ isConstant: false, usesTime: false });
    expect(compilePathTemplate('/a/%Y', utc)).toMatchObject({ isConstant: false, usesTime: true });
  });

  const bad: Array<[string, RegExp]> = [
    ['/x/%a', /unsupported escape "%a"/],
    ['/x/%Q/%Y', /unsupported escape "%Q"/],
    ['/x/%[host]', /unsupported escape "%\[host\]"/],
    ['/x/%{logType', /unclosed escape "%\{"/],
    ['/x/%[IP', /unclosed escape "%\["/],
    ['/x/%{}', /empty header escape/],
    ['/x/%', /dangling "%"/],
  ];
  for (const [template, error] of bad) {
    it(`rejects ${JSON.stringify(template)}`, () => {
      expect(() => compilePathTemplate(template, utc)).toThrow(PathTemplateError);
      expect(() => compilePathTemplate(template, utc)).toThrow(error);
    });
  }
});

describe('bucket routing', () => {
  const opts = { path: '/c/%{logType}/wrk_date=%Y%m%d', filePrefix: '%{logType}', timeZone: 'UTC', useLocalTimeStamp: false };
  const clock = () => Date.UTC(2020, 0, 2, 3, 4, 5);

  it('partitions by header and by the timestamp header, keeping batch order', () => {
    const day1 = String(Date.UTC(2016, 0, 1, 12));
    const day2 = String(Date.UTC(2016, 0, 2, 12));
    const events = [
      makeEvent(0, { headers: { logType: 'a', timestamp: day1 } }),
      makeEvent(1, { headers: { logType: 'b', timestamp: day1 } }),
      makeEvent(2, { headers: { logType: 'a', timestamp: day2 } }),
      makeEvent(3, { headers: { logType: 'a', timestamp: day1 } }),
      makeEvent(4, { headers: { logType: 'a' } }),
      makeEvent(5, { headers: { logType: 'a', timestamp: 'not-a-number' } }),
    ];
    const groups = new BucketRouter(opts, clock).route(events);
    expect(groups.map((g) => [g.dir, g.prefix, g.events.map((e) => e.id.split(':')[2])])).toEqual([
      ['/c/a/wrk_date=20160101', 'a', ['0', '3']],
      ['/c/b/wrk_date=20160101', 'b', ['1']],
      ['/c/a/wrk_date=20160102', 'a', ['2']],
      ['/c/a/wrk_date=20200102', 'a', ['4', '5']],
    ]);
  });

  it('converts a repeated timestamp header once, and an invalid one still falls back to each batch clock', () => {
    let now = Date.UTC(2020, 0, 2, 3, 4, 5);
    const router = new BucketRouter(opts, () => now);
    const day1 = String(Date.UTC(2016, 0, 1, 12));
    const stamp = (i: number, timestamp: string) => makeEvent(i, { headers: { logType: 'a', timestamp } });
    const dirs = (events: ReturnType<typeof stamp>[]) => router.route(events).map((g) => [g.dir, g.events.length]);
    expect(dirs([stamp(0, day1), stamp(1, day1), stamp(2, 'x'), stamp(3, 'x')])).toEqual([
      ['/c/a/wrk_date=20160101', 2],
      ['/c/a/wrk_date=20200102', 2],
    ]);
    now = Date.UTC(2021, 5, 7);
    // Same invalid text as the last event of the previous batch: the new batch's clock applies.
    expect(dirs([stamp(4, 'x'), stamp(5, day1)])).toEqual([
      ['/c/a/wrk_date=20210607', 1],
      ['/c/a/wrk_date=20160101', 1],
    ]);
  });

  it('reuses the previous bucket only when the used headers and the time slot match', () => {
    const base = Date.UTC(2016, 0, 1, 23, 59, 59, 100);
    const at = (i: number, ms: number, logType = 'a') => makeEvent(i, { headers: { logType, timestamp: String(ms), other: String(i) } });
    const bySecond = new BucketRouter({ ...opts, path: '/c/%{logType}/%Y%m%d', filePrefix: 'p' }, clock);
    const groups = bySecond.route([at(0, base), at(1, base + 800), at(2, base + 900), at(3, base + 900, 'b'), at(4, base + 950)]);
    expect(groups.map((g) => [g.dir, g.events.length])).toEqual([
      ['/c/a/20160101', 2],
      ['/c/a/20160102', 2],
      ['/c/b/20160102', 1],
    ]);
    const byMilli = new BucketRouter({ ...opts, path: '/m', filePrefix: 'p%t' }, clock);
    expect(byMilli.route([at(0, base), at(1, base), at(2, base + 1)]).map((g) => [g.prefix, g.events.length])).toEqual([
      [`p${base}`, 2],
      [`p${base + 1}`, 1],
    ]);
  });

  it('uses the agent clock with useLocalTimeStamp', () => {
    const events = [makeEvent(0, { headers: { logType: 'a', timestamp: String(Date.UTC(2016, 0, 1)) } })];
    const [group] = new BucketRouter({ ...opts, useLocalTimeStamp: true }, clock).route(events);
    expect(group?.dir).toBe('/c/a/wrk_date=20200102');
  });

  it('normalizes directories so header values cannot escape the root or split buckets', () => {
    expect(normalizeDir('a//b/')).toBe('/a/b');
    expect(normalizeDir('/../../etc')).toBe('/etc');
    const events = [
      makeEvent(0, { headers: { logType: 'x//y' } }),
      makeEvent(1, { headers: { logType: 'x/y' } }),
      makeEvent(2, { headers: { logType: '../../up' } }),
    ];
    const groups = new BucketRouter({ ...opts, path: '/c/%{logType}', filePrefix: 'p-%{logType}' }, clock).route(events);
    expect(groups.map((g) => [g.dir, g.prefix])).toEqual([
      ['/c/x/y', 'p-x__y'],
      ['/c/x/y', 'p-x_y'],
      ['/up', 'p-.._.._up'],
    ]);
  });

  it('puts a whole batch in one bucket when both templates are constant', () => {
    const events = [makeEvent(0), makeEvent(1)];
    const groups = new BucketRouter({ ...opts, path: '/fixed/', filePrefix: 'F' }, clock).route(events);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.events).toBe(events);
    expect(groups[0]?.dir).toBe('/fixed');
  });
});

/**
 * Source line events with shared headers (copy-on-write) and bodies carrying append_field's
 * suffix beside them: every reader sees the same values as with plain per-event headers and
 * rebuilt bodies.
 */
import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../src/buffers/memory.js';
import {
  bodyLength,
  bodyText,
  canHoldBodySuffix,
  canShareHeaders,
  copyBodyInto,
  type FlumeEvent,
  peekHeaders,
} from '../../src/core/event.js';
import { FileProgress } from '../../src/core/progress.js';
import { createInterceptorChain } from '../../src/interceptors/registry.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { textFormat } from '../../src/sinks/formats/text.js';
import { admitLines, type LineOrigin } from '../../src/sources/emit.js';
import { LineSplitter } from '../../src/sources/line-splitter.js';
import { testContext } from '../support/context.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const ctx = testContext('spool', '/unused', { now: () => NOW });

async function lineEvents(text: string, headers?: Record<string, string>): Promise<FlumeEvent[]> {
  const splitter = new LineSplitter({ startOffset: 0, maxLineBytes: 1024 });
  const lines = splitter.push(Buffer.from(text));
  const origin: LineOrigin = { sourceId: 'spool', fileKey: 'k', path: '/in/f', ...(headers ? { headers } : {}) };
  const answer = await admitLines(lines, origin, new FileProgress(0), new FlowGate({ maxEvents: 100, maxBytes: 1 << 20 }), new Metrics());
  if (answer.kind !== 'batch') throw new Error(`not admitted: ${answer.kind}`);
  return answer.batch.events;
}

function chain(entries: Record<string, unknown>[]) {
  return createInterceptorChain(entries, ctx);
}

function run(events: FlumeEvent[], entries: Record<string, unknown>[]): FlumeEvent[] {
  const c = chain(entries);
  return events.map((e) => c.intercept(e)).filter((e): e is FlumeEvent => e !== null);
}

describe('line events: shared headers', () => {
  it('lines stamped alike share one headers object, with the values each interceptor set', async () => {
    const events = await lineEvents('a\nb\nc\n', { file: '/in/f' });
    run(events, [{ type: 'timestamp' }, { type: 'static', key: 'logType', value: 'car-batch-log' }, { type: 'host', hostHeader: 'h' }]);
    const first = peekHeaders(events[0]!);
    expect(first).toMatchObject({ file: '/in/f', timestamp: String(NOW), logType: 'car-batch-log' });
    expect(typeof first.h).toBe('string');
    for (const e of events) {
      expect(canShareHeaders(e)).toBe(true);
      expect(peekHeaders(e)).toBe(first);
      expect(e.headers).toEqual(first);
    }
  });

  it('writing one event’s headers never changes another’s (copy on first access)', async () => {
    const events = await lineEvents('a\nb\n', { file: '/in/f' });
    run(events, [{ type: 'static', key: 'logType', value: 'x' }]);
    events[0]!.headers.extra = '1';
    events[0]!.headers.logType = 'changed';
    expect(events[0]!.headers).toEqual({ file: '/in/f', logType: 'changed', extra: '1' });
    expect(events[1]!.headers).toEqual({ file: '/in/f', logType: 'x' });
    // An interceptor running after the write sees it, and the other event is still unaffected.
    run(events, [{ type: 'static', key: 'logType', value: 'y', preserveExisting: false }]);
    expect(events[0]!.headers).toEqual({ file: '/in/f', logType: 'y', extra: '1' });
    expect(events[1]!.headers).toEqual({ file: '/in/f', logType: 'y' });
  });

  it('preserveExisting keeps a header set on the file or by an earlier interceptor', async () => {
    const events = await lineEvents('a\nb\n', { timestamp: '5', logType: 'kept' });
    run(events, [
      { type: 'timestamp', preserveExisting: true },
      { type: 'static', key: 'logType', value: 'other' },
    ]);
    for (const e of events) expect(e.headers).toEqual({ timestamp: '5', logType: 'kept' });
  });

  it('events stamped with different values get their own values', async () => {
    let now = NOW;
    const c = createInterceptorChain([{ type: 'timestamp' }], testContext('spool', '/unused', { now: () => now }));
    const events = await lineEvents('a\nb\nc\n');
    c.intercept(events[0]!);
    now += 1;
    c.intercept(events[1]!);
    now -= 1;
    c.intercept(events[2]!);
    expect(events.map((e) => e.headers.timestamp)).toEqual([String(NOW), String(NOW + 1), String(NOW)]);
  });
});

describe('line events: append_field suffix kept beside the body', () => {
  const append = { type: 'append_field', timeZone: 'UTC' };

  it('every reader sees the body with the suffix, and reading joins it once', async () => {
    const events = await lineEvents('a,1\r\nbb,2\n');
    run(events, [{ type: 'timestamp' }, append]);
    const e = events[0]!;
    expect(canHoldBodySuffix(e)).toBe(true);
    expect(bodyLength(e)).toBe('a,1,20240101'.length);
    expect(bodyText(e, 'utf8')).toBe('a,1,20240101');
    expect(bodyText(e, 'latin1')).toBe('a,1,20240101');
    const target = Buffer.alloc(20, 0x2e);
    expect(copyBodyInto(e, target, 2)).toBe(12);
    expect(target.toString()).toBe('..a,1,20240101......');
    expect(e.body.toString()).toBe('a,1,20240101');
    expect(e.body).toBe(e.body); // joined once, then the same buffer
    expect(bodyLength(e)).toBe(12);
    expect(events[1]!.body.toString()).toBe('bb,2,20240101');
  });

  it('two appends keep their order; setting the body drops a pending suffix', async () => {
    const events = await lineEvents('x\ny\n');
    run(events, [{ type: 'timestamp' }, append, { ...append, delimiter: '|', format: 'yyyy' }]);
    expect(bodyText(events[0]!, 'utf8')).toBe('x,20240101|2024');
    expect(events[0]!.body.toString()).toBe('x,20240101|2024');
    events[1]!.body = Buffer.from('new');
    expect(bodyText(events[1]!, 'utf8')).toBe('new');
    expect(bodyLength(events[1]!)).toBe(3);
  });

  it('a non-ASCII delimiter reads the same in latin1 as a joined body would', async () => {
    const events = await lineEvents('é\n');
    run(events, [{ type: 'timestamp' }, { ...append, delimiter: '·' }]);
    const joined = Buffer.from('é·20240101', 'utf8');
    expect(bodyText(events[0]!, 'latin1')).toBe(joined.toString('latin1'));
    expect(bodyText(events[0]!, 'utf8')).toBe('é·20240101');
  });

  it('text files carry the suffix', async () => {
    const events = await lineEvents('a,1\nb,2\n');
    run(events, [{ type: 'timestamp' }, append]);
    const encoded = textFormat.open({ sourceId: 'spool', events }).encode(events);
    expect(Buffer.from(encoded as Buffer).toString()).toBe('a,1,20240101\nb,2,20240101\n');
  });

  it('regex_filter after append_field matches the whole body, suffix included', async () => {
    // The regexes after the first match the body as read but not the whole body, or the reverse.
    const cases: [string, string[]][] = [
      ['^\\d', ['1,a', '2,b']],
      ['a$', []],
      ['a,20240101$', ['1,a']],
      ['0101', ['1,a', '2,b', 'x']],
      ['a(?!,)', []],
      ['b(?=,2024)', ['2,b']],
      ['^x,2024', ['x']],
      // Tested on the bytes where they lie (byteMatcher), with the same answers:
      ['^\\d,[ab]', ['1,a', '2,b']],
      ['^\\d,a$', []],
      ['^\\d,[ab],\\d{8}$', ['1,a', '2,b']],
      ['^[a-z],\\d{4}', ['x']],
    ];
    for (const [regex, kept] of cases) {
      const events = await lineEvents('1,a\n2,b\nx\n');
      const out = run(events, [{ type: 'timestamp' }, append, { type: 'regex_filter', regex }]);
      expect(
        out.map((e) => e.body.toString().replace(',20240101', '')),
        regex,
      ).toEqual(kept);
    }
    // `\b` without a delimiter: "1,a" ends on a word boundary, "1,a20240101" has none after "a".
    const joinedWord = run(await lineEvents('1,a\n'), [
      { type: 'timestamp' },
      { ...append, delimiter: '' },
      { type: 'regex_filter', regex: 'a\\b' },
    ]);
    expect(joinedWord).toEqual([]);
    const excluded = run(await lineEvents('1,a\nx\n'), [
      { type: 'timestamp' },
      append,
      { type: 'regex_filter', regex: '0101$', excludeEvents: true },
    ]);
    expect(excluded).toEqual([]);
  });
});

/**
 * Date patterns for interceptors, a subset of Joda/Java's (what Flume configs use):
 * `yyyy` year, `MM` month, `dd` day, `HH` hour 00-23, `mm` minute, `ss` second, `SSS` millis;
 * text in single quotes is literal (`''` is a quote); any other non-letter is literal.
 * A zone is `local` (the process's) or an IANA name (`Asia/Seoul`, `UTC`); the calendar arithmetic
 * (fields of an instant in a zone, and back) is core/time/zoned-calendar.ts.
 *
 * Invariants: a pattern is compiled once; an unsupported letter run (`yy`, `EEE`) is an error at
 * compile time, so a pattern never silently renders wrong. Formatting caches the last rendering
 * per second (per millisecond with SSS), so a batch stamped with one time formats once.
 * Parsing answers `undefined` for text that does not fit the pattern or names no real date
 * (Feb 30); a wall time inside a DST gap maps to an instant next to the gap.
 */

import { CivilCalendar, type CivilTime } from '../core/time/zoned-calendar.js';

export type DatePart = 'yyyy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss' | 'SSS';
const WIDTH: Record<DatePart, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2, SSS: 3 };
const FIELD: Record<DatePart, keyof CivilTime> = {
  yyyy: 'year',
  MM: 'month',
  dd: 'day',
  HH: 'hour',
  mm: 'minute',
  ss: 'second',
  SSS: 'millisecond',
};
type Piece = { kind: 'part'; part: DatePart } | { kind: 'text'; text: string };

export interface DatePattern {
  readonly source: string;
  format(epochMs: number): string;
  /** Epoch millis of `text` read with the pattern, or undefined when it does not fit. */
  parse(text: string): number | undefined;
}

export function compileDatePattern(source: string, timeZone = 'local'): DatePattern {
  const pieces = tokenize(source);
  const calendar = new CivilCalendar(timeZone);
  const hasMillis = pieces.some((p) => p.kind === 'part' && p.part === 'SSS');
  let cachedKey = Number.NaN;
  let cachedText = '';
  const regex = new RegExp(`^${pieces.map((p) => (p.kind === 'part' ? `(\\d{${WIDTH[p.part]}})` : escapeRegex(p.text))).join('')}$`);
  const order = pieces.flatMap((p) => (p.kind === 'part' ? [p.part] : []));

  return {
    source,
    format(epochMs: number): string {
      const key = hasMillis ? epochMs : Math.floor(epochMs / 1000);
      if (key === cachedKey) return cachedText;
      const t = calendar.civil(epochMs);
      let out = '';
      for (const p of pieces) out += p.kind === 'text' ? p.text : String(t[FIELD[p.part]]).padStart(WIDTH[p.part], '0');
      cachedKey = key;
      cachedText = out;
      return out;
    },
    parse(text: string): number | undefined {
      const m = regex.exec(text);
      if (!m) return undefined;
      const t: CivilTime = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 };
      order.forEach((part, i) => {
        t[FIELD[part]] = Number(m[i + 1]);
      });
      if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 59) return undefined;
      const ms = calendar.toEpochMs(t);
      // Reject dates that roll over (Feb 30 → Mar 2): rendering back must give the same fields.
      const back = calendar.civil(ms);
      return back.day === t.day && back.month === t.month ? ms : undefined;
    },
  };
}

function tokenize(source: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "'") {
      // Quoted literal; '' is a quote, inside or outside quotes (Joda/Java rules).
      if (source[i + 1] === "'") {
        pieces.push({ kind: 'text', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new Error(`date pattern "${source}": unterminated quote`);
        if (source[j] === "'") {
          if (source[j + 1] !== "'") break;
          text += "'";
          j += 2;
        } else text += source[j++];
      }
      pieces.push({ kind: 'text', text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (source[j] === c) j++;
      const run = source.slice(i, j);
      if (!(run in WIDTH)) throw new Error(`date pattern "${source}": unsupported "${run}" (supported: ${Object.keys(WIDTH).join(', ')})`);
      pieces.push({ kind: 'part', part: run as DatePart });
      i = j;
    } else {
      pieces.push({ kind: 'text', text: c });
      i++;
    }
  }
  return pieces;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Date patterns for interceptors, a subset of Joda/Java's (what Flume configs use):
 * `yyyy` year, `MM` month, `dd` day, `HH` hour 00-23, `mm` minute, `ss` second, `SSS` millis;
 * text in single quotes is literal (`''` is a quote); any other non-letter is literal.
 * A zone is `local` (the process's) or an IANA name (`Asia/Seoul`, `UTC`).
 *
 * Invariants: a pattern is compiled once; an unsupported letter run (`yy`, `EEE`) is an error at
 * compile time, so a pattern never silently renders wrong. Formatting caches the last rendering
 * per second (per millisecond with SSS), so a batch stamped with one time formats once.
 * Parsing answers `undefined` for text that does not fit the pattern or names no real date
 * (Feb 30); a wall time inside a DST gap maps to an instant next to the gap.
 */

export type DatePart = 'yyyy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss' | 'SSS';
const WIDTH: Record<DatePart, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2, SSS: 3 };
type Piece = { kind: 'part'; part: DatePart } | { kind: 'text'; text: string };

interface Fields {
  yyyy: number;
  MM: number;
  dd: number;
  HH: number;
  mm: number;
  ss: number;
  SSS: number;
}

export interface DatePattern {
  readonly source: string;
  format(epochMs: number): string;
  /** Epoch millis of `text` read with the pattern, or undefined when it does not fit. */
  parse(text: string): number | undefined;
}

export function compileDatePattern(source: string, timeZone = 'local'): DatePattern {
  const pieces = tokenize(source);
  const fieldsOf = timeZone === 'local' ? localFields : zonedFields(timeZone);
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
      const f = fieldsOf(epochMs);
      let out = '';
      for (const p of pieces) out += p.kind === 'text' ? p.text : String(f[p.part]).padStart(WIDTH[p.part], '0');
      cachedKey = key;
      cachedText = out;
      return out;
    },
    parse(text: string): number | undefined {
      const m = regex.exec(text);
      if (!m) return undefined;
      const f: Fields = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
      order.forEach((part, i) => {
        f[part] = Number(m[i + 1]);
      });
      if (f.MM < 1 || f.MM > 12 || f.dd < 1 || f.dd > 31 || f.HH > 23 || f.mm > 59 || f.ss > 59) return undefined;
      const ms = timeZone === 'local' ? fromLocal(f) : fromZoned(f, fieldsOf);
      // Reject dates that roll over (Feb 30 → Mar 2): rendering back must give the same fields.
      const back = fieldsOf(ms);
      return back.dd === f.dd && back.MM === f.MM ? ms : undefined;
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

function localFields(ms: number): Fields {
  const d = new Date(ms);
  return {
    yyyy: d.getFullYear(),
    MM: d.getMonth() + 1,
    dd: d.getDate(),
    HH: d.getHours(),
    mm: d.getMinutes(),
    ss: d.getSeconds(),
    SSS: d.getMilliseconds(),
  };
}

function zonedFields(timeZone: string): (ms: number) => Fields {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (ms) => {
    const f: Fields = { yyyy: 0, MM: 0, dd: 0, HH: 0, mm: 0, ss: 0, SSS: ((ms % 1000) + 1000) % 1000 };
    for (const p of fmt.formatToParts(ms)) {
      if (p.type === 'year') f.yyyy = Number(p.value);
      else if (p.type === 'month') f.MM = Number(p.value);
      else if (p.type === 'day') f.dd = Number(p.value);
      else if (p.type === 'hour') f.HH = Number(p.value);
      else if (p.type === 'minute') f.mm = Number(p.value);
      else if (p.type === 'second') f.ss = Number(p.value);
    }
    return f;
  };
}

function fromLocal(f: Fields): number {
  return new Date(f.yyyy, f.MM - 1, f.dd, f.HH, f.mm, f.ss, f.SSS).getTime();
}

/** Wall time in a zone → epoch: guess it as UTC, then correct by the zone's offset (twice, for DST edges). */
function fromZoned(f: Fields, fieldsOf: (ms: number) => Fields): number {
  const wall = Date.UTC(f.yyyy, f.MM - 1, f.dd, f.HH, f.mm, f.ss, f.SSS);
  let ms = wall;
  for (let k = 0; k < 2; k++) {
    const seen = fieldsOf(ms);
    const seenWall = Date.UTC(seen.yyyy, seen.MM - 1, seen.dd, seen.HH, seen.mm, seen.ss, seen.SSS);
    ms += wall - seenWall;
  }
  return ms;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

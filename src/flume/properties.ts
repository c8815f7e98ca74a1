/**
 * A Java `.properties` reader (the format of Flume agent configs), keeping the line of each entry
 * so every later message can point at it.
 *
 * Format (java.util.Properties#load):
 * - Natural lines end with \n, \r or \r\n. A logical line continues onto the next natural line
 *   when it ends with an odd number of backslashes; the continuation's leading whitespace is
 *   dropped. A comment line (first non-blank character `#` or `!`) never continues.
 * - The key ends at the first unescaped `=`, `:` or whitespace; then blanks, at most one `=` or
 *   `:`, and blanks again are skipped; the rest of the logical line is the value (trailing blanks
 *   kept, as Java does: the Flume model trims them).
 * - Escapes in keys and values: \t \n \r \f, \uHHHH, and `\` before any other character stands
 *   for that character (so `\\d` is `\d`, `\=` is `=`). A malformed \u escape is a problem
 *   reported with its line (and its key, when the escape is in the value; Java throws), and the
 *   entry is skipped.
 * - A key set twice: the last value wins (as in Java), and the repeat is reported.
 * - A leading UTF-8 byte-order mark is ignored.
 */

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry's logical line starts. */
  readonly line: number;
}

export interface PropertyProblem {
  readonly line: number;
  readonly key?: string;
  readonly message: string;
}

export interface ParsedProperties {
  /** Entries in file order; a repeated key keeps only its last entry. */
  readonly entries: readonly PropertyEntry[];
  readonly problems: readonly PropertyProblem[];
  /** Keys set more than once: the lines of the earlier settings, by key. */
  readonly overridden: ReadonlyMap<string, readonly number[]>;
}

interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

/** Splits text into logical lines, joining continuations and dropping comments and blank lines. */
function logicalLines(text: string): LogicalLine[] {
  const natural = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let pending: string | undefined;
  let startLine = 0;
  for (let i = 0; i < natural.length; i++) {
    let part = natural[i] as string;
    if (pending === undefined) {
      part = part.replace(/^[ \t\f]+/, '');
      if (part === '' || part.startsWith('#') || part.startsWith('!')) continue;
      startLine = i + 1;
      pending = '';
    } else {
      part = part.replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(part)) {
      pending += part.slice(0, -1);
      if (i === natural.length - 1) out.push({ text: pending, line: startLine });
      continue;
    }
    out.push({ text: pending + part, line: startLine });
    pending = undefined;
  }
  return out;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Index just past the key: the first unescaped `=`, `:` or blank. */
function keyEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') return i;
  }
  return text.length;
}

/** Index of the value: after blanks, at most one separator, and blanks again. */
function valueStart(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
  if (i < text.length && (text[i] === '=' || text[i] === ':')) i++;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
  return i;
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Resolves escapes; throws an Error naming the bad escape for a malformed \uHHHH. */
export function unescapeProperty(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Error(`malformed unicode escape "\\u${hex}" (needs 4 hex digits)`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}

export function parseProperties(text: string): ParsedProperties {
  const byKey = new Map<string, PropertyEntry>();
  const problems: PropertyProblem[] = [];
  const overridden = new Map<string, number[]>();
  for (const { text: logical, line } of logicalLines(text)) {
    const end = keyEnd(logical);
    let key: string;
    let value: string;
    try {
      key = unescapeProperty(logical.slice(0, end));
    } catch (err) {
      problems.push({ line, message: (err as Error).message });
      continue;
    }
    try {
      value = unescapeProperty(logical.slice(valueStart(logical, end)));
    } catch (err) {
      // The key is readable: name it, so the message points at the property.
      problems.push({ line, key, message: (err as Error).message });
      continue;
    }
    const earlier = byKey.get(key);
    if (earlier) {
      overridden.set(key, [...(overridden.get(key) ?? []), earlier.line]);
      byKey.delete(key);
    }
    byKey.set(key, { key, value, line });
  }
  const entries = [...byKey.values()].sort((a, b) => a.line - b.line);
  return { entries, problems, overridden };
}

/** Java's String.trim(), which Flume applies to every key and value: strips chars <= U+0020. */
export function javaTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end);
}

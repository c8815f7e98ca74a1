/**
 * One dead-letter entry as one JSON line (the on-disk record; see file-sink.ts for the file).
 *
 * {"time":ISO,"sourceId","stage","code","reason","componentId"|null,"eventId","path","offset",
 *  "headers":{…},"raw":…,["rawEncoding":"base64"],["rawTruncated":true,"rawBytes":N]}
 *
 * `raw` is the body as UTF-8 text when it is valid UTF-8, else base64 with `rawEncoding`.
 * A body over RAW_LIMIT_BYTES keeps only its first RAW_LIMIT_BYTES (cut back to a character
 * boundary for text), with `rawTruncated: true` and the full size in `rawBytes`, so one MB-long
 * garbage line cannot make the dead-letter file or its reader run out of memory.
 */
import { isUtf8 } from 'node:buffer';
import type { DeadLetterEntry } from '../../core/component.js';

export const RAW_LIMIT_BYTES = 64 * 1024;

export interface DeadLetterRecord {
  time: string;
  sourceId: string;
  stage: DeadLetterEntry['stage'];
  code: string;
  reason: string;
  componentId: string | null;
  eventId: string;
  path: string;
  offset: number;
  headers: Record<string, string>;
  raw: string;
  rawEncoding?: 'base64';
  rawTruncated?: true;
  rawBytes?: number;
}

export function toDeadLetterRecord(entry: DeadLetterEntry, timeIso: string): DeadLetterRecord {
  const { event } = entry;
  const body = event.body;
  const truncated = body.length > RAW_LIMIT_BYTES;
  let cut = truncated ? RAW_LIMIT_BYTES : body.length;
  // Never split a UTF-8 character: step back over at most 3 continuation bytes (10xxxxxx).
  if (truncated) for (let k = 0; k < 3 && cut > 0 && ((body[cut] as number) & 0xc0) === 0x80; k++) cut--;
  const kept = body.subarray(0, cut);
  const text = isUtf8(kept);
  const record: DeadLetterRecord = {
    time: timeIso,
    sourceId: entry.sourceId,
    stage: entry.stage,
    code: entry.code,
    reason: entry.reason,
    componentId: entry.componentId ?? null,
    eventId: event.id,
    path: event.position.path,
    offset: event.position.offset,
    headers: event.headers,
    raw: text ? kept.toString('utf8') : kept.toString('base64'),
  };
  if (!text) record.rawEncoding = 'base64';
  if (truncated) {
    record.rawTruncated = true;
    record.rawBytes = body.length;
  }
  return record;
}

/** The record's line: JSON plus `\n` (JSON.stringify escapes any newline inside strings). */
export function toDeadLetterLine(entry: DeadLetterEntry, timeIso: string): string {
  return `${JSON.stringify(toDeadLetterRecord(entry, timeIso))}\n`;
}

/** The body bytes a record carries (the kept prefix when truncated). */
export function rawBytesOf(record: Pick<DeadLetterRecord, 'raw' | 'rawEncoding'>): Buffer {
  return Buffer.from(record.raw, record.rawEncoding === 'base64' ? 'base64' : 'utf8');
}

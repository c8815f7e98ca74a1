/**
 * Config value helpers: byte sizes may be written `67108864`, `64MiB`, `512KB`, `1.5GiB`;
 * durations in milliseconds are bounded by what a Node timer can hold (about 24.8 days), since a
 * longer setTimeout silently fires after 1 ms.
 */
import { z } from 'zod';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}

export const byteSize = () =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = parseByteSize(v);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a byte size (use a number or e.g. 64MiB, 512KB)` });
      return z.NEVER;
    }
    return n;
  });

export const MAX_TIMER_MS = 2 ** 31 - 1;

export const milliseconds = (min = 1) =>
  z
    .number()
    .int()
    .min(min, min === 0 ? 'must not be negative' : `must be at least ${min}`)
    .max(MAX_TIMER_MS, `must be at most ${MAX_TIMER_MS} ms (about 24.8 days; longer timers fire at once in Node)`);

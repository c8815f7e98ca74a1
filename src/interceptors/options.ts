/**
 * Option schemas shared by several interceptors, so the same mistake gets the same message.
 * A regular expression is compiled while the config is validated: a bad pattern is a config
 * error naming the option, never a failure on the first event.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../core/time/zoned-calendar.js';

/** A required JavaScript regular expression (Flume's are Java ones; the common syntax is the same). */
export function regexOption(description: string) {
  return z
    .string({ error: 'required: a regular expression' })
    .min(1, 'must not be empty')
    .superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
      }
    })
    .describe(description);
}

/** A header name: non-empty. */
export function headerNameOption(defaultName: string, description: string) {
  return z.string({ error: 'must be a header name' }).min(1, 'must not be empty').default(defaultName).describe(description);
}

/** `local` or an IANA zone name that this runtime knows. */
export const timeZoneOption = z
  .string({ error: 'must be "local" or an IANA time zone such as Asia/Seoul' })
  .refine(isValidTimeZone, { error: 'must be "local" or an IANA time zone such as Asia/Seoul' });

/** Returns true when every character of `text` is ASCII. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

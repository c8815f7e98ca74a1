/**
 * `append_field`: the seed agent's collect-day interceptor. Appends `<delimiter><date>` to the
 * body, e.g. `…,83` → `…,83,20240101`, so the HDFS text files carry the collection day as an
 * extra column (the Hive table ignores it; the CarStatus schema reads it as `collect_date`).
 *
 * The date is the event's `timestamp` header (epoch millis, set by the timestamp interceptor
 * earlier in the chain) when `useHeader` and the header is a valid number, else `ctx.now()`.
 * The suffix bytes are cached per second, so a batch stamped at one time encodes once. A line
 * event keeps the suffix beside its body (joined only if someone reads `body`; the parse worker
 * and text files copy both parts); any other event gets its body rebuilt into one new buffer.
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import { canHoldBodySuffix, type FlumeEvent, peekHeaders } from '../core/event.js';
import { compileDatePattern } from './date-format.js';
import { timeZoneOption } from './options.js';

export const appendFieldConfigSchema = z.strictObject({
  delimiter: z.string({ error: 'must be a string' }).default(',').describe('Text put between the body and the date.'),
  format: z
    .string({ error: 'must be a date pattern such as yyyyMMdd' })
    .default('yyyyMMdd')
    .superRefine((pattern, ctx) => {
      try {
        compileDatePattern(pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .describe('Date pattern: yyyy MM dd HH mm ss SSS, quoted text literal.'),
  timeZone: timeZoneOption.default('local').describe('Zone the date is rendered in: "local" or an IANA name.'),
  useHeader: z.boolean({ error: 'must be true or false' }).default(true).describe('Take the time from the timestamp header when set.'),
});
export type AppendFieldConfig = z.infer<typeof appendFieldConfigSchema>;

const TIMESTAMP_HEADER = 'timestamp';

export const appendFieldInterceptor: ComponentRegistration<AppendFieldConfig, Interceptor> = {
  type: 'append_field',
  configSchema: appendFieldConfigSchema,
  create(config, ctx) {
    const pattern = compileDatePattern(config.format, config.timeZone);
    const { delimiter, useHeader } = config;
    let cachedDate = '';
    let cachedSuffix = Buffer.alloc(0);
    const suffixFor = (epochMs: number): Buffer => {
      const date = pattern.format(epochMs);
      if (date !== cachedDate) {
        cachedDate = date;
        cachedSuffix = Buffer.from(delimiter + date, 'utf8');
      }
      return cachedSuffix;
    };
    // Events of a batch carry the same timestamp text (often the very same string): convert it once.
    let lastHeader = '';
    let lastWhen = Number.NaN;
    return {
      type: 'append_field',
      intercept(event: FlumeEvent): FlumeEvent {
        let when = Number.NaN;
        if (useHeader) {
          const header = peekHeaders(event)[TIMESTAMP_HEADER];
          if (header === lastHeader) when = lastWhen;
          else if (header !== undefined && header !== '') {
            when = Number(header);
            lastHeader = header;
            lastWhen = when;
          }
        }
        const suffix = suffixFor(Number.isFinite(when) ? when : ctx.now());
        if (canHoldBodySuffix(event)) {
          // Line events keep the suffix beside the body; readers see it joined (see BodySuffixHolder).
          event.appendToBody(suffix);
          return event;
        }
        const body = Buffer.allocUnsafe(event.body.length + suffix.length);
        // Uint8Array#set: a plain memcpy, cheaper than Buffer#copy's argument handling for short lines.
        body.set(event.body, 0);
        body.set(suffix, event.body.length);
        event.body = body;
        return event;
      },
    };
  },
};

/**
 * `regex_extractor` (Flume's RegexExtractorInterceptor): searches the body with `regex` and puts
 * capture group i (1-based) into a header named by serializer i-1. Flume's semantics: the first
 * match only; groups beyond the serializers are ignored; existing headers are overwritten.
 *
 * Serializers: `default` puts the group text; `millis` reads it with `pattern` (see
 * date-format.ts) in `timeZone` and puts epoch millis. Differences from Flume, on purpose: a
 * group that did not take part in the match, or text the millis pattern cannot read, sets no
 * header (Flume would throw and fail the whole batch); the event itself always passes on.
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import type { FlumeEvent } from '../core/event.js';
import { compileDatePattern } from './date-format.js';
import { regexOption, timeZoneOption } from './options.js';

const serializerSchema = z
  .strictObject({
    name: z.string({ error: 'required: the header name' }).min(1, 'must not be empty').describe('Header set from the group.'),
    type: z.enum(['default', 'millis'], { error: 'must be "default" or "millis"' }).default('default').describe('How the group is read.'),
    pattern: z
      .string({ error: 'must be a date pattern' })
      .optional()
      .describe('Date pattern of a millis serializer, e.g. yyyy-MM-dd HH:mm.'),
    timeZone: timeZoneOption.default('local').describe('Zone a millis serializer reads the time in.'),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'millis' && s.pattern === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'required for a millis serializer' });
    }
    if (s.pattern !== undefined) {
      try {
        compileDatePattern(s.pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: (err as Error).message });
      }
    }
  });

export const regexExtractorConfigSchema = z.strictObject({
  regex: regexOption('Regular expression with capture groups, searched in the body.'),
  serializers: z
    .array(serializerSchema, { error: 'must be a list of { name, type, pattern }' })
    .min(1, 'name at least one serializer')
    .describe('One per capture group, in group order.'),
});
export type RegexExtractorConfig = z.infer<typeof regexExtractorConfigSchema>;

type GroupReader = (text: string) => string | undefined;

export const regexExtractorInterceptor: ComponentRegistration<RegexExtractorConfig, Interceptor> = {
  type: 'regex_extractor',
  configSchema: regexExtractorConfigSchema,
  create(config) {
    const regex = new RegExp(config.regex);
    const names = config.serializers.map((s) => s.name);
    const readers: GroupReader[] = config.serializers.map((s) => {
      if (s.type === 'default') return (text) => text;
      const pattern = compileDatePattern(s.pattern ?? '', s.timeZone);
      return (text) => {
        const ms = pattern.parse(text);
        return ms === undefined ? undefined : String(ms);
      };
    });
    return {
      type: 'regex_extractor',
      intercept(event: FlumeEvent): FlumeEvent {
        const m = regex.exec(event.body.toString('utf8'));
        if (!m) return event;
        const groups = Math.min(m.length - 1, names.length);
        for (let i = 0; i < groups; i++) {
          const text = m[i + 1];
          if (text === undefined) continue;
          const value = (readers[i] as GroupReader)(text);
          if (value !== undefined) event.headers[names[i] as string] = value;
        }
        return event;
      },
    };
  },
};

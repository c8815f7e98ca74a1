/**
 * `regex_filter` (Flume's RegexFilteringInterceptor): keeps events whose body matches `regex`
 * anywhere (Java's `find()`), or drops them when `excludeEvents` is true.
 *
 * An event a source marked unreadable (`event.error`, e.g. an oversize line cut to a prefix) is
 * always kept, so it reaches validation and is dead-lettered rather than silently filtered.
 *
 * The regex is compiled once, without the `g` flag (so no `lastIndex` state between events).
 * The body is read as latin1 when the regex is pure ASCII (one char per byte: fastest, and
 * it never fails on invalid UTF-8), else as UTF-8 so non-ASCII patterns match characters.
 *
 * Bytes appended by append_field and not joined yet (see BodySuffixHolder): a regex that cannot
 * look past the end of its match (no `$`, `\b`, `\B`, lookahead) that matches the body as read
 * matches the whole body too, so the whole body's text is only built when the first test fails.
 *
 * A simple start-anchored ASCII regex (`^\d{14}`, `^[A-Z]\d{4},`: see byteMatcher) is tested on
 * the body's bytes where they lie, with the same answer as the RegExp on the latin1 text: no
 * string per event. Anything else, or a miss on the part as read, takes the RegExp path.
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import { bodyText, canHoldBodySuffix, type FlumeEvent } from '../core/event.js';
import { byteMatcher } from '../schemas/byte-pattern.js';
import { isAscii, regexOption } from './options.js';

export const regexFilterConfigSchema = z.strictObject({
  regex: regexOption('Regular expression searched in the event body.'),
  excludeEvents: z.boolean({ error: 'must be true or false' }).default(false).describe('Drop matching events instead of keeping them.'),
});
export type RegexFilterConfig = z.infer<typeof regexFilterConfigSchema>;

export const regexFilterInterceptor: ComponentRegistration<RegexFilterConfig, Interceptor> = {
  type: 'regex_filter',
  configSchema: regexFilterConfigSchema,
  create(config) {
    const regex = new RegExp(config.regex);
    const encoding: 'latin1' | 'utf8' = isAscii(config.regex) ? 'latin1' : 'utf8';
    const keepOnMatch = !config.excludeEvents;
    // Conservative: any `$`, `\b`/`\B` or lookahead in the source, even escaped or in a class.
    const matchIgnoresWhatFollows = !/\$|\\[bB]|\(\?[=!]/.test(config.regex);
    const onBytes = encoding === 'latin1' ? byteMatcher(regex) : undefined;
    // A prefix match on the part as read is a match of the whole; whole-range patterns need it all.
    const bytesDecideOnRead = onBytes !== undefined && matchIgnoresWhatFollows;
    const matches = (event: FlumeEvent): boolean => {
      if (onBytes && canHoldBodySuffix(event)) {
        if (event.appendedLength() === 0) return event.testReadBody(onBytes);
        if (bytesDecideOnRead && event.testReadBody(onBytes)) return true;
      }
      if (!matchIgnoresWhatFollows || !canHoldBodySuffix(event) || event.appendedLength() === 0)
        return regex.test(bodyText(event, encoding));
      return regex.test(event.bodyText(encoding, 'read')) || regex.test(event.bodyText(encoding, 'whole'));
    };
    return {
      type: 'regex_filter',
      intercept(event: FlumeEvent): FlumeEvent | null {
        if (event.error) return event;
        return matches(event) === keepOnMatch ? event : null;
      },
    };
  },
};

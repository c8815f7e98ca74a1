/**
 * `search_replace` (Flume's SearchAndReplaceInterceptor): replaces every match of
 * `searchPattern` in the body with `replaceString` (`$1` refers to a group, as in Java;
 * a literal `$` is `$$` here, where Java writes `\$`). The body is decoded and re-encoded with
 * `charset`; when nothing matches the original buffer is kept untouched (no copy).
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import type { FlumeEvent } from '../core/event.js';
import { regexOption } from './options.js';

const CHARSETS: Record<string, BufferEncoding> = {
  'UTF-8': 'utf8',
  UTF8: 'utf8',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
  'US-ASCII': 'latin1',
  'UTF-16LE': 'utf16le',
};

export const searchReplaceConfigSchema = z.strictObject({
  searchPattern: regexOption('Regular expression; every match in the body is replaced.'),
  replaceString: z.string({ error: 'must be a string' }).default('').describe('Replacement; $1… refer to groups.'),
  charset: z
    .string({ error: 'must be a charset name' })
    .default('UTF-8')
    .refine((name) => name.toUpperCase() in CHARSETS, { error: `must be one of ${Object.keys(CHARSETS).join(', ')}` })
    .describe('Charset the body is read and written in.'),
});
export type SearchReplaceConfig = z.infer<typeof searchReplaceConfigSchema>;

export const searchReplaceInterceptor: ComponentRegistration<SearchReplaceConfig, Interceptor> = {
  type: 'search_replace',
  configSchema: searchReplaceConfigSchema,
  create(config) {
    const regex = new RegExp(config.searchPattern, 'g');
    const { replaceString } = config;
    const encoding = CHARSETS[config.charset.toUpperCase()] as BufferEncoding;
    return {
      type: 'search_replace',
      intercept(event: FlumeEvent): FlumeEvent {
        const text = event.body.toString(encoding);
        const replaced = text.replace(regex, replaceString);
        if (replaced !== text) event.body = Buffer.from(replaced, encoding);
        return event;
      },
    };
  },
};

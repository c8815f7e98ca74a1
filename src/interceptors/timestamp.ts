/**
 * `timestamp` (Flume's TimestampInterceptor): sets a header to the ingest time, epoch millis as
 * decimal text, from the context clock. With `preserveExisting` an event that already has the
 * header keeps it (a replayed or upstream-stamped event keeps its original time). Events stamped
 * with the same text share one headers object (see HeaderSetter).
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import type { FlumeEvent } from '../core/event.js';
import { HeaderSetter } from './header-setter.js';
import { headerNameOption } from './options.js';

export const timestampConfigSchema = z.strictObject({
  header: headerNameOption('timestamp', 'Header that receives the epoch millis.'),
  preserveExisting: z.boolean({ error: 'must be true or false' }).default(false).describe('Keep a header that is already set.'),
});
export type TimestampConfig = z.infer<typeof timestampConfigSchema>;

export const timestampInterceptor: ComponentRegistration<TimestampConfig, Interceptor> = {
  type: 'timestamp',
  configSchema: timestampConfigSchema,
  create(config, ctx) {
    const setter = new HeaderSetter(config.header, config.preserveExisting);
    // Events of one batch mostly share a millisecond: render its text once.
    let lastMs = Number.NaN;
    let lastText = '';
    return {
      type: 'timestamp',
      intercept(event: FlumeEvent): FlumeEvent {
        if (setter.keeps(event)) return event;
        const ms = ctx.now();
        if (ms !== lastMs) {
          lastMs = ms;
          lastText = String(ms);
        }
        setter.set(event, lastText);
        return event;
      },
    };
  },
};

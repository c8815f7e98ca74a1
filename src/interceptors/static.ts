/**
 * `static` (Flume's StaticInterceptor): sets one fixed header, e.g. `logType=car-batch-log`.
 * By default (as in Flume) an existing header of that name is kept. Events that had the same
 * headers share the result (see HeaderSetter).
 */
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import type { FlumeEvent } from '../core/event.js';
import { HeaderSetter } from './header-setter.js';
import { headerNameOption } from './options.js';

export const staticConfigSchema = z.strictObject({
  key: headerNameOption('key', 'Header name.'),
  value: z.string({ error: 'must be a string' }).default('value').describe('Header value.'),
  preserveExisting: z.boolean({ error: 'must be true or false' }).default(true).describe('Keep a header that is already set.'),
});
export type StaticConfig = z.infer<typeof staticConfigSchema>;

export const staticInterceptor: ComponentRegistration<StaticConfig, Interceptor> = {
  type: 'static',
  configSchema: staticConfigSchema,
  create(config) {
    const { value } = config;
    const setter = new HeaderSetter(config.key, config.preserveExisting);
    return {
      type: 'static',
      intercept(event: FlumeEvent): FlumeEvent {
        setter.set(event, value);
        return event;
      },
    };
  },
};

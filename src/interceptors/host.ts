/**
 * `host` (Flume's HostInterceptor): sets a header to this machine's IP address (`useIP`) or
 * host name. The address is looked up once at creation: the first non-internal IPv4 address,
 * else the first non-internal IPv6 one, else 127.0.0.1 (a machine with only loopback).
 */
import { hostname, networkInterfaces } from 'node:os';
import { z } from 'zod';
import type { ComponentRegistration, Interceptor } from '../core/component.js';
import type { FlumeEvent } from '../core/event.js';
import { HeaderSetter } from './header-setter.js';
import { headerNameOption } from './options.js';

export const hostConfigSchema = z.strictObject({
  hostHeader: headerNameOption('host', 'Header that receives the address or name.'),
  useIP: z.boolean({ error: 'must be true or false' }).default(true).describe('IP address (true) or host name (false).'),
  preserveExisting: z.boolean({ error: 'must be true or false' }).default(false).describe('Keep a header that is already set.'),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

/** The address the host interceptor reports (exported for tests and diagnostics). */
export function localAddress(): string {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter((a) => !a.internal);
  return (external.find((a) => a.family === 'IPv4') ?? external[0])?.address ?? '127.0.0.1';
}

export const hostInterceptor: ComponentRegistration<HostConfig, Interceptor> = {
  type: 'host',
  configSchema: hostConfigSchema,
  create(config) {
    const setter = new HeaderSetter(config.hostHeader, config.preserveExisting);
    const value = config.useIP ? localAddress() : hostname();
    return {
      type: 'host',
      intercept(event: FlumeEvent): FlumeEvent {
        setter.set(event, value);
        return event;
      },
    };
  },
};

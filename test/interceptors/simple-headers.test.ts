import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostInterceptor, localAddress } from '../../src/interceptors/host.js';
import { staticInterceptor } from '../../src/interceptors/static.js';
import { timestampInterceptor } from '../../src/interceptors/timestamp.js';
import { testContext } from '../support/context.js';
import { makeEvent } from './events.js';

const ctx = testContext('src', '/tmp', { now: () => 1_700_000_000_123 });

describe('timestamp interceptor', () => {
  const create = (options: unknown) => timestampInterceptor.create(timestampInterceptor.configSchema.parse(options), ctx);

  it('stamps the context clock as epoch millis, replacing an existing value by default', () => {
    const event = makeEvent('x', { timestamp: '5' });
    expect(create({}).intercept(event)?.headers).toEqual({ timestamp: '1700000000123' });
  });

  it('keeps an existing header with preserveExisting, and can use another header name', () => {
    expect(create({ preserveExisting: true }).intercept(makeEvent('x', { timestamp: '5' }))?.headers).toEqual({ timestamp: '5' });
    expect(create({ header: 'ingest' }).intercept(makeEvent('x'))?.headers).toEqual({ ingest: '1700000000123' });
  });

  it('rejects bad options with clear messages', () => {
    const r = timestampInterceptor.configSchema.safeParse({ header: '', preserveExisting: 'yes', headerName: 't' });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'header: must not be empty',
      'preserveExisting: must be true or false',
      ': Unrecognized key: "headerName"',
    ]);
  });
});

describe('static interceptor', () => {
  const create = (options: unknown) => staticInterceptor.create(staticInterceptor.configSchema.parse(options), ctx);

  it('sets the fixed header, keeping an existing one by default (as Flume)', () => {
    const i = create({ key: 'logType', value: 'car-batch-log' });
    expect(i.intercept(makeEvent('x'))?.headers).toEqual({ logType: 'car-batch-log' });
    expect(i.intercept(makeEvent('x', { logType: 'other' }))?.headers).toEqual({ logType: 'other' });
  });

  it('overwrites with preserveExisting false, and defaults to key=value', () => {
    expect(create({ key: 'logType', value: 'a', preserveExisting: false }).intercept(makeEvent('x', { logType: 'b' }))?.headers).toEqual({
      logType: 'a',
    });
    expect(create({}).intercept(makeEvent('x'))?.headers).toEqual({ key: 'value' });
  });

  it('rejects a non-string value', () => {
    const r = staticInterceptor.configSchema.safeParse({ key: 'k', value: 3 });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['value: must be a string']);
  });
});

describe('host interceptor', () => {
  const create = (options: unknown) => hostInterceptor.create(hostInterceptor.configSchema.parse(options), ctx);

  it('stamps the machine IP address by default', () => {
    const address = create({}).intercept(makeEvent('x'))?.headers.host;
    expect(address).toBe(localAddress());
    expect(address).toMatch(/^[0-9a-f.:]+$/i);
  });

  it('stamps the host name with useIP false, under the configured header, overwriting by default', () => {
    expect(create({ useIP: false, hostHeader: 'agentHost' }).intercept(makeEvent('x', { agentHost: 'old' }))?.headers).toEqual({
      agentHost: hostname(),
    });
  });

  it('keeps an existing header with preserveExisting', () => {
    expect(create({ preserveExisting: true }).intercept(makeEvent('x', { host: 'upstream' }))?.headers).toEqual({ host: 'upstream' });
  });

  it('rejects unknown options', () => {
    const r = hostInterceptor.configSchema.safeParse({ useIp: true });
    expect(r.error?.issues.map((i) => i.message)).toEqual(['Unrecognized key: "useIp"']);
  });
});

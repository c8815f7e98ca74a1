/**
 * The `logger` sink: Flume's LoggerSink, for debugging a flow. Each event is logged at info level
 * (JSON on stderr) with its headers and the first `maxBytesToLog` bytes of its body, shown as
 * hex and as text, as Flume's EventHelper.dumpEvent does.
 *
 * Delivery: an event counts as delivered once logged (the logger writes synchronously), exactly
 * like Flume's sink; nothing is kept. Intended for tests and trials, not for data.
 */
import { z } from 'zod';
import type { ComponentContext, ComponentRegistration, Sink } from '../core/component.js';
import type { EventBatch } from '../core/event.js';

export const loggerSinkConfigSchema = z.strictObject({
  maxBytesToLog: z
    .number({ error: 'must be a number of bytes' })
    .int({ error: 'must be a whole number' })
    .nonnegative({ error: 'must be >= 0' })
    .default(16)
    .describe('Most body bytes shown per event (Flume maxBytesToLog).'),
});

export type LoggerSinkConfig = z.output<typeof loggerSinkConfigSchema>;

/** Hex bytes then their printable text, as Flume's dump shows a body. */
export function dumpBody(body: Buffer, maxBytes: number): string {
  const shown = body.subarray(0, maxBytes);
  const hex = [...shown].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const text = [...shown].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} ${text}${body.length > maxBytes ? ' …' : ''}`;
}

export const loggerSink: ComponentRegistration<LoggerSinkConfig, Sink> = {
  type: 'logger',
  configSchema: loggerSinkConfigSchema,
  create(config, ctx: ComponentContext): Sink {
    return {
      id: ctx.id,
      async start() {},
      async write(batch: EventBatch) {
        for (const event of batch.events) {
          ctx.logger.info({ sink: ctx.id, headers: event.headers, body: dumpBody(event.body, config.maxBytesToLog) }, 'Event');
        }
      },
      async close() {},
    };
  },
};

/**
 * The interceptor types a config may name, and the chain that runs them in order.
 *
 * Chain invariants:
 * - Interceptors run in config order; the first that answers null drops the event and the
 *   rest do not see it. Neither the chain nor an interceptor settles acks: the caller (the
 *   `interceptBatch` operator) settles a dropped event `rejected` and counts it.
 * - An event a source marked unreadable (`event.error`: oversize line, …) bypasses the
 *   interceptors, so a filter can never silently drop it and its body stays as read:
 *   validation dead-letters it.
 * - Config errors are one RxfError (RXF_CONFIG_INVALID) listing every problem with its path,
 *   e.g. `interceptors[2].regex: required`; an unknown type lists the known ones.
 */
import type { z } from 'zod';
import type { ComponentContext, ComponentRegistration, Interceptor } from '../core/component.js';
import { ErrorCodes, RxfError } from '../core/errors.js';
import type { FlumeEvent } from '../core/event.js';
import { appendFieldInterceptor } from './append-field.js';
import { hostInterceptor } from './host.js';
import { regexExtractorInterceptor } from './regex-extractor.js';
import { regexFilterInterceptor } from './regex-filter.js';
import { searchReplaceInterceptor } from './search-replace.js';
import { staticInterceptor } from './static.js';
import { timestampInterceptor } from './timestamp.js';

// biome-ignore lint/suspicious/noExplicitAny: registrations are heterogeneous; each validates its own config
export type AnyInterceptorRegistration = ComponentRegistration<any, Interceptor>;

export const interceptorTypes: Readonly<Record<string, AnyInterceptorRegistration>> = {
  timestamp: timestampInterceptor,
  static: staticInterceptor,
  host: hostInterceptor,
  regex_filter: regexFilterInterceptor,
  regex_extractor: regexExtractorInterceptor,
  search_replace: searchReplaceInterceptor,
  append_field: appendFieldInterceptor,
};

/**
 * One interceptor in a config: either flat (`{ type: 'static', key: 'logType', value: '…' }`,
 * as written in YAML) or split (`{ type, options }`, as the config loader hands it on).
 */
export type InterceptorConfigEntry = { readonly type: string; readonly options?: unknown } | Readonly<Record<string, unknown>>;

/**
 * The configured interceptors run as one: usable wherever an Interceptor is (e.g. the
 * `interceptBatch` operator, which settles and counts what it drops).
 */
export interface InterceptorChain extends Interceptor {
  readonly type: 'chain';
  readonly interceptors: readonly Interceptor[];
}

export function createInterceptorChain(
  entries: readonly InterceptorConfigEntry[],
  ctx: ComponentContext,
  configPath = 'interceptors',
): InterceptorChain {
  const problems: string[] = [];
  const interceptors: Interceptor[] = [];
  entries.forEach((entry, i) => {
    const at = `${configPath}[${i}]`;
    const { type, options } = splitEntry(entry);
    if (typeof type !== 'string') {
      problems.push(`${at}.type: required (known: ${Object.keys(interceptorTypes).join(', ')})`);
      return;
    }
    const registration = interceptorTypes[type];
    if (!registration) {
      problems.push(`${at}.type: unknown interceptor "${type}" (known: ${Object.keys(interceptorTypes).join(', ')})`);
      return;
    }
    const parsed = registration.configSchema.safeParse(options);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(describeIssue(at, issue));
      return;
    }
    interceptors.push(registration.create(parsed.data, ctx));
  });
  if (problems.length > 0) throw new RxfError(ErrorCodes.CONFIG_INVALID, `invalid interceptors:\n  ${problems.join('\n  ')}`);
  const count = interceptors.length;
  return {
    type: 'chain',
    interceptors,
    intercept(event: FlumeEvent): FlumeEvent | null {
      if (event.error) return event;
      let current: FlumeEvent | null = event;
      for (let i = 0; i < count && current !== null; i++) current = (interceptors[i] as Interceptor).intercept(current);
      return current;
    },
  };
}

function splitEntry(entry: InterceptorConfigEntry): { type: unknown; options: unknown } {
  const { type, ...rest } = entry as Record<string, unknown>;
  const keys = Object.keys(rest);
  if (keys.length === 1 && keys[0] === 'options') return { type, options: rest.options ?? {} };
  return { type, options: rest };
}

function describeIssue(at: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${at}${path}.${k}: unknown option`).join('\n  ');
  return `${at}${path}: ${issue.message}`;
}

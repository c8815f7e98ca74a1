/**
 * Tells a config validation problem (`sinks.k1.acks: acks 0 gives no delivery confirmation`) in
 * the terms of the Flume file it was imported from: `line 40: a1.sinks.k1.requiredAcks: … (as
 * rxflume sinks.k1.acks)`. The option path is matched to the longest recorded origin that
 * contains it; a problem with no origin (a default the importer filled in) is left as it is.
 */
import type { Origin } from './mapping-context.js';

export function describeInFlumeTerms(problem: string, origins: ReadonlyMap<string, Origin>): string {
  const colon = problem.indexOf(': ');
  if (colon < 0) return problem;
  const path = problem.slice(0, colon).replace(/\[(\d+)\]/g, '.$1');
  const message = problem.slice(colon + 2);
  let best: string | undefined;
  for (const key of origins.keys()) {
    if ((path === key || path.startsWith(`${key}.`)) && (best === undefined || key.length > best.length)) best = key;
  }
  if (best === undefined) return problem;
  const origin = origins.get(best) as Origin;
  return `line ${origin.line}: ${origin.key}: ${message} (as rxflume ${path})`;
}

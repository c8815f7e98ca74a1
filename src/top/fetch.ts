/**
 * Reads a running agent over HTTP: `/metrics` (Prometheus text; it has every series, unlike the
 * Flume-shaped /metrics.json) and `/readyz`. A URL that does not answer, answers with an error
 * status or is not an rxflume agent becomes an Error saying so, with the URL.
 */

import { parseExposition } from '../metrics/samples.js';
import { type AgentReading, readingOf } from './snapshot.js';

export interface AgentView {
  readonly reading: AgentReading;
  readonly readiness: { readonly ready: boolean; readonly notReady: readonly string[] } | undefined;
}

/** `http://host:port` without a trailing slash or endpoint path (both are accepted). */
export function agentBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    throw new Error(`not a URL: "${url}" (expected e.g. http://127.0.0.1:9464)`);
  }
  const path = parsed.pathname.replace(/\/(metrics(\.json)?|readyz|healthz)$/, '').replace(/\/+$/, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export async function fetchAgentView(baseUrl: string, timeoutMs = 5000): Promise<AgentView> {
  let text: string;
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${baseUrl}/metrics answered HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if ((err as Error).message.includes('answered HTTP')) throw err;
    throw new Error(`no agent answers at ${baseUrl}/metrics (${describe(err)}); is \`rxflume run\` running there?`);
  }
  const samples = parseExposition(text);
  if (!samples.some((s) => s.name.startsWith('rxflume_')))
    throw new Error(`${baseUrl}/metrics has no rxflume_ series: not an rxflume agent`);
  const reading = readingOf(samples);
  let readiness: AgentView['readiness'];
  try {
    const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { ready?: unknown; notReady?: unknown };
    if (typeof body.ready === 'boolean')
      readiness = { ready: body.ready, notReady: Array.isArray(body.notReady) ? body.notReady.map(String) : [] };
  } catch {
    readiness = undefined;
  }
  return { reading, readiness };
}

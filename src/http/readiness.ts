/**
 * Readiness from the agent's status: ready when every source has started, every sink has started
 * and none reports its destination unreachable, and the agent is not shutting down. A sink that
 * never reports its connection (the local filesystem) counts as connected once started.
 */
import type { AgentStatus } from '../core/agent.js';

export interface Readiness {
  readonly ready: boolean;
  /** What is not ready, one short phrase each (`sink kafka: disconnected`); empty when ready. */
  readonly notReady: readonly string[];
}

export function readinessOf(status: AgentStatus): Readiness {
  const notReady: string[] = [];
  if (status.stopping) notReady.push('agent: shutting down');
  for (const s of status.sources) if (!s.started) notReady.push(`source ${s.id}: not started`);
  for (const s of status.sinks) {
    if (!s.started) notReady.push(`sink ${s.id}: not started`);
    else if (s.connected === false) notReady.push(`sink ${s.id}: disconnected`);
  }
  return { ready: notReady.length === 0, notReady };
}

/** Builds real component contexts for tests (real Metrics, real FlowGate, silent logger). */
import { FlowGate, type FlowGateOptions } from '../../src/buffers/memory.js';
import type { ComponentContext, SourceContext } from '../../src/core/component.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';

export function testContext(id: string, stateDir: string, extra: Partial<ComponentContext> = {}): ComponentContext {
  return { id, agentId: 'test-agent', stateDir, logger: silentLogger(), metrics: new Metrics(), now: Date.now, ...extra };
}

export function testSourceContext(
  id: string,
  stateDir: string,
  gate: Partial<FlowGateOptions> = {},
  extra: Partial<ComponentContext> = {},
): SourceContext {
  return {
    ...testContext(id, stateDir, extra),
    gate: new FlowGate({
      maxEvents: gate.maxEvents ?? 100_000,
      maxBytes: gate.maxBytes ?? 64 * 1024 * 1024,
      whenFull: gate.whenFull ?? 'block',
    }),
  };
}

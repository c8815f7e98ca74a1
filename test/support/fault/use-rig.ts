/**
 * The lifecycle every fault scenario file shares: one mock broker per describe block (started in
 * beforeAll, stopped in afterAll) and at most one FaultRig per test, closed in afterEach even when
 * the test failed, so a failed scenario leaves no agent, reader, emulator or folder behind.
 *
 * Call `useFaultRig()` inside the describe block; create rigs with `create` (never
 * FaultRig.create directly) so the hooks know what to close.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type MockBroker, startMockBroker } from '../kafka/mock-broker.js';
import { FaultRig, type RigOptions } from './rig.js';

export interface FaultRigHooks {
  /** The describe block's broker (valid from beforeAll on). */
  readonly broker: () => MockBroker;
  /** A rig on that broker, closed after the test. */
  readonly create: (opts: RigOptions) => Promise<FaultRig>;
}

export interface UseFaultRigOptions {
  /**
   * Bring the broker back up after each test, before the rig closes: for files whose tests take
   * it down, so a test that failed mid-outage does not leave the next one without a broker.
   */
  readonly restoreBroker?: boolean;
}

export function useFaultRig(opts: UseFaultRigOptions = {}): FaultRigHooks {
  let broker: MockBroker | undefined;
  let rig: FaultRig | undefined;
  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterEach(async () => {
    if (opts.restoreBroker) await broker?.up().catch(() => {});
    await rig?.close();
    rig = undefined;
  });
  afterAll(async () => {
    await broker?.stop();
  });
  const current = (): MockBroker => {
    if (!broker) throw new Error('useFaultRig: the broker starts in beforeAll; use it inside a test');
    return broker;
  };
  return {
    broker: current,
    create: async (rigOpts) => {
      rig = await FaultRig.create(current(), rigOpts);
      return rig;
    },
  };
}

/**
 * The buffer variants every fault scenario runs with: the memory buffer and the disk buffer
 * (issue 8 part 1, src/buffers/disk/). The full suite runs every scenario with both. The short
 * version (inside `npm test`, which must stay within a few minutes) runs the disk variant only
 * for the scenarios where the disk buffer changes the outcome: kill -9, broker outage, ENOSPC.
 *
 * `DISK_BUFFER_ENABLED` switches the disk variants off in one line (or RXFLUME_FAULTS_DISK=0 for
 * one run; RXFLUME_FAULTS_DISK=all runs every disk variant in the short version too). When they are on and the agent rejects `buffer.type: disk`, the scenario fails with
 * the agent's config error (FaultRig.start): the variant is never skipped silently.
 */
import { FULL } from './sizes.js';

export type BufferKind = 'memory' | 'disk';

/** The one-line switch for the disk variants. */
export const DISK_BUFFER_ENABLED = process.env.RXFLUME_FAULTS_DISK !== '0';

/** The variants of one scenario; `diskInShort`: the short version runs the disk variant too. */
export function bufferKinds(opts: { diskInShort: boolean }): readonly BufferKind[] {
  if (!DISK_BUFFER_ENABLED) return ['memory'];
  return FULL || opts.diskInShort || process.env.RXFLUME_FAULTS_DISK === 'all' ? ['memory', 'disk'] : ['memory'];
}

/** The `buffer:` block of one source, as YAML flow. `dir` only matters for the disk buffer. */
export function bufferYaml(kind: BufferKind, maxEvents: number, dir: string): string {
  if (kind === 'memory') return `{ maxEvents: ${maxEvents} }`;
  return `{ type: disk, dir: '${dir}', maxBytes: 256MiB, fsync: batch, whenFull: block }`;
}

/**
 * Property: after any sequence of appends, per-sink acknowledgements and crashes (a process
 * crash, optionally tearing the frame being written, or a machine crash that cuts the last
 * segment at a random byte), reading the log for each sink yields exactly the frames it has not
 * acknowledged, in order: nothing lost that survived on disk, nothing repeated, no garbage.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadFrame } from '../../../src/buffers/disk/disk-log.js';
import { scanSegment } from '../../../src/buffers/disk/recovery.js';
import { comparePositions } from '../../../src/buffers/disk/segment-format.js';
import { tempDir, waitFor } from '../../support/wait.js';
import { names, openLog, payload, type TestLog } from './log-support.js';

const SINKS = ['a', 'b'] as const;

type Command =
  | { kind: 'append'; n: number; size: number }
  | { kind: 'ack'; sink: 0 | 1; frac: number }
  | { kind: 'crash'; tear: 'none' | 'partial' | 'truncate'; at: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      n: fc.integer({ min: 1, max: 6 }),
      size: fc.integer({ min: 5, max: 300 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('ack' as const),
      sink: fc.constantFrom(0 as const, 1 as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      tear: fc.constantFrom('none' as const, 'partial' as const, 'truncate' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

interface Epoch {
  readonly t: TestLog;
  readonly known: Map<string, ReadFrame>;
  readonly reading: Promise<void>;
}

async function openEpoch(dir: string): Promise<Epoch> {
  const t = await openLog(dir, { segmentBytes: 700, fsync: 'interval', fsyncIntervalMs: 60_000, sinkIds: [...SINKS] });
  const known = new Map<string, ReadFrame>();
  const reading = (async () => {
    for await (const f of t.log.read()) known.set(names([f])[0] as string, f);
  })();
  return { t, known, reading };
}

function lastSegment(dir: string): string | undefined {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort()
    .pop();
}

describe('disk log property', () => {
  it('replay equals the unacknowledged suffix, per sink, across crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const tmp = await tempDir('rxflume-prop-');
        let epoch: Epoch | undefined;
        try {
          const frames: string[] = [];
          const acked = [0, 0];
          let counter = 0;
          epoch = await openEpoch(tmp.dir);

          const crashAndCheck = async (tear: 'none' | 'partial' | 'truncate', at: number) => {
            const e = epoch as Epoch;
            e.t.log.abort();
            await e.reading;
            const last = lastSegment(tmp.dir);
            let expectTorn = 0;
            if (last && tear === 'partial') {
              const frame = payload(`torn${counter}`, 50);
              appendFileSync(join(tmp.dir, last), frame.subarray(0, 1 + Math.floor(at * (frame.length - 2))));
              expectTorn = 1;
            } else if (last && tear === 'truncate') {
              const path = join(tmp.dir, last);
              const bytes = readFileSync(path);
              const inSegment = scanSegment(bytes).frames;
              const cut = Math.floor(at * bytes.length);
              truncateSync(path, cut);
              const boundaries = new Set([8, ...inSegment.map((f) => f.end)]);
              expectTorn = cut > 0 && cut < bytes.length && !boundaries.has(cut) ? 1 : 0;
              const survivors = frames.length - inSegment.filter((f) => f.end > cut).length;
              frames.length = survivors;
              acked[0] = Math.min(acked[0] as number, survivors);
              acked[1] = Math.min(acked[1] as number, survivors);
            }
            epoch = await openEpoch(tmp.dir);
            expect(epoch.t.torn).toBe(expectTorn);
            // Everything the reader will give: wait until it has read every expected frame.
            const low = Math.min(acked[0] as number, acked[1] as number);
            await waitFor(() => frames.slice(low).every((n) => epoch?.known.has(n)), { timeoutMs: 10_000, what: 'replay read' });
            const all = [...(epoch as Epoch).known.values()];
            expect(names(all)).toEqual(frames.slice(low));
            for (const [i, sink] of SINKS.entries()) {
              const pos = epoch.t.log.positions.get(sink);
              const replay = names(all.filter((f) => comparePositions(f.end, pos) > 0));
              expect(replay).toEqual(frames.slice(acked[i]));
            }
          };

          for (const c of commands) {
            if (c.kind === 'append') {
              for (let i = 0; i < c.n; i++) {
                const name = `f${counter++}`;
                expect(await epoch.t.log.append(payload(name, c.size), 1)).toBe('appended');
                frames.push(name);
              }
            } else if (c.kind === 'ack') {
              const from = acked[c.sink] as number;
              const to = from + Math.floor(c.frac * (frames.length - from));
              if (to > from) {
                const name = frames[to - 1] as string;
                await waitFor(() => epoch?.known.has(name), { timeoutMs: 10_000, what: `frame ${name} read` });
                epoch.t.log.sinkAcknowledged(SINKS[c.sink], (epoch.known.get(name) as ReadFrame).end);
                await epoch.t.log.positions.flush();
                acked[c.sink] = to;
              }
            } else await crashAndCheck(c.tear, c.at);
          }
          await crashAndCheck('none', 0);
          // Space accounting agrees with the files left on disk.
          const onDisk = readdirSync(tmp.dir)
            .filter((n) => n.endsWith('.wal'))
            .reduce((n, f) => n + statSync(join(tmp.dir, f)).size - 8, 0);
          expect(epoch.t.log.bytesOnDisk).toBe(onDisk);
        } finally {
          epoch?.t.log.abort();
          await epoch?.reading;
          await tmp.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  }, 240_000);
});

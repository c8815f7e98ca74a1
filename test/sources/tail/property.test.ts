import { copyFileSync, renameSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/wait.js';
import { startTail, Writer } from './harness.js';

type Op =
  | { kind: 'append'; n: number; partial: boolean }
  | { kind: 'rename' | 'delete' | 'copytruncate'; pending: number; late: number; after: number }
  | { kind: 'truncate'; after: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 60 }), partial: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('rename' as const, 'delete' as const, 'copytruncate' as const),
      pending: fc.integer({ min: 0, max: 40 }),
      late: fc.integer({ min: 0, max: 10 }),
      after: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), after: fc.integer({ min: 1, max: 30 }) }) },
);

/**
 * The model: complete lines in the order the source must emit them, and the unterminated tail of
 * the file being written. Lines are unique. Rules the test keeps (tail -F cannot do better):
 * before a rotation the source has caught up (so it follows the generation being rotated), and a
 * plain truncate happens only when everything was read (the bytes past our offset are gone).
 */
class Model {
  readonly expected: string[] = [];
  private partial: string | undefined;
  private seq = 0;

  text(n: number, partial: boolean): string {
    let out = '';
    for (let i = 0; i < n; i++) {
      const line = `L${this.seq++}`;
      out += `${line}\n`;
      this.expected.push(i === 0 && this.partial !== undefined ? `${this.partial}${line}` : line);
      if (i === 0) this.partial = undefined;
    }
    if (partial && n > 0) {
      this.partial = `P${this.seq++}-`;
      out += this.partial;
    }
    return out;
  }

  /** The file being left will get no more bytes: its unterminated tail becomes a line. */
  sealed(): void {
    if (this.partial !== undefined) this.expected.push(this.partial);
    this.partial = undefined;
  }
}

describe('tail source: property — random appends and rotations lose nothing', () => {
  it('emits exactly the written lines, in order, once each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { dir, cleanup } = await tempDir('rxflume-tail-prop-');
        const path = join(dir, 'app.log');
        let w = new Writer(path);
        const run = startTail({ path, stateDir: join(dir, 'state') });
        const model = new Model();
        let copies = 0;
        try {
          w.raw(model.text(5, false));
          for (const op of ops) {
            if (op.kind === 'append') {
              w.raw(model.text(op.n, op.partial));
              continue;
            }
            await run.waitForCount(model.expected.length, 'catch-up before rotation');
            // From here to the next await, the source (same process) cannot interleave.
            if (op.kind === 'truncate') {
              truncateSync(path, 0);
              model.sealed();
            } else {
              w.raw(model.text(op.pending, false));
              if (op.kind === 'copytruncate') {
                copyFileSync(path, `${path}.c${copies++}`);
                truncateSync(path, 0);
                model.sealed();
              } else {
                if (op.kind === 'rename') renameSync(path, `${path}.r${copies++}`);
                else unlinkSync(path);
                w.raw(model.text(op.late, false));
                model.sealed();
                w.close();
                w = new Writer(path);
              }
            }
            w.raw(model.text(op.after, false));
          }
          w.raw(model.text(1, false));
          await run.waitForCount(model.expected.length, 'all lines');
          expect(run.bodies()).toEqual(model.expected);
          expect(new Set(run.events.map((e) => e.id)).size).toBe(run.events.length);
        } finally {
          w.close();
          await run.stop();
          await cleanup();
        }
      }),
      { numRuns: 25 },
    );
  });
});

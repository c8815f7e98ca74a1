/**
 * An install without native/ (the Docker image ships only bin, dist, config and schemas): the
 * demo cannot build the mock broker there, so it must say Kafka is off and still run the HDFS
 * half, not crash on the missing C source (and not suggest apt packages that would not help).
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('rxflume demo without native/', () => {
  it('says Kafka is off and runs the HDFS half', { timeout: 240_000 }, async () => {
    const t = await tempDir('rxflume-demo-nonative-');
    cleanups.push(t.cleanup);
    const app = join(t.dir, 'app');
    for (const part of ['bin', 'dist', 'config', 'schemas', 'package.json']) cpSync(join(ROOT, part), join(app, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    const data = join(t.dir, 'data');
    const child = spawn(
      process.execPath,
      [join(app, 'bin/rxflume.js'), 'demo', '--duration', '4', '--cars', '1', '--dir', data, '--metrics-address', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toMatch(/^Kafka is off: .*native\/mock-broker\.c.*\. Driving lines go to the local HDFS layout instead\.$/m);
    expect(out).toContain('To enable Kafka in the demo: run the demo from a checkout or the npm package (both ship native/)');
    expect(code, out).toBe(0);
    const summary = JSON.parse(readFileSync(join(data, 'summary.json'), 'utf8')) as { kafka: string | null; balanced: boolean };
    expect(summary).toMatchObject({ kafka: null, balanced: true });
  });
});

/**
 * The container image's build and start steps, run outside Docker (no engine on our machines).
 *
 * Everything is derived from the Dockerfile and .dockerignore (parsed, not copied), so the file
 * and this test cannot drift: the build context is the repository filtered by .dockerignore;
 * each stage is replayed into its own folder (image-replay.ts): `npm ci`, `npm run build`, the
 * runtime's `npm ci --omit=dev` of the built output, the COPYs; then the image is started with
 * its exact ENTRYPOINT + CMD (minus tini, which apt would install) as the image's USER
 * (`setpriv`), in a network namespace of its own (`unshare --net`, like a container: the fixed
 * port 9464 cannot clash with anything else on the machine), with everything but the paths that
 * user owns read-only. The image's own HEALTHCHECK command must pass, a status file dropped in
 * the data volume must reach the HDFS layout, and SIGTERM must drain and exit 0.
 *
 * Needs root (setpriv, unshare), as CI and our machines run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../support/wait.js';
import { readDockerfile } from './dockerfile.js';
import { copyBuildContext, DockerIgnore } from './dockerignore.js';
import { mapEnv, type ReplayedStage, replayDockerfile } from './image-replay.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STATUS_HEADER =
  'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo';
const LINES = 500;

function statusLine(i: number): string {
  const t = i * 4;
  const hhmmss = [Math.floor(t / 3600), Math.floor(t / 60) % 60, t % 60].map((n) => String(n).padStart(2, '0')).join('');
  return `20160101${hhmmss},K0001,${80 + (i % 20)},97,88,90,1,1,1,1,A,A,${60 + (i % 40)}`;
}

/** Removes write permission everywhere except what `uid` owns (the image's writable volumes). */
function makeReadOnlyExcept(path: string, uid: number): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink() || st.uid === uid) return;
  chmodSync(path, st.mode & 0o7555);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeReadOnlyExcept(join(path, e), uid);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('container image (Dockerfile replayed outside Docker)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let image: ReplayedStage;
  let agent: ChildProcess;
  let stderr = '';
  let exit: Promise<number | null>;
  const buildLog: string[] = [];

  beforeAll(async () => {
    expect(process.getuid?.(), 'this test runs as root (setpriv, unshare), as CI does').toBe(0);
    tmp = await tempDir('rxflume-image-');
    chmodSync(tmp.dir, 0o755);
    const context = join(tmp.dir, 'context');
    copyBuildContext(REPO, context, DockerIgnore.fromFile(join(REPO, '.dockerignore')));
    const stages = replayDockerfile({
      stages: readDockerfile(join(REPO, 'Dockerfile')),
      context,
      root: join(tmp.dir, 'stages'),
      log: (t) => buildLog.push(t),
    });
    image = stages.at(-1) as ReplayedStage;
    makeReadOnlyExcept(image.fsRoot, image.user?.uid ?? -1);
  }, 300_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    await tmp?.cleanup();
  });

  it('builds from a context holding only what .dockerignore lets in', () => {
    const context = join(tmp.dir, 'context');
    const top = readdirSync(context).sort();
    expect(top).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const never of ['node_modules', 'dist', '.git', 'test', 'data']) expect(top).not.toContain(never);
  });

  it('runtime stage: production dependencies only, the compiled CLI, schemas and a config', () => {
    const app = image.toHost(image.workdir);
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['avsc', 'kafkajs', 'rxjs', 'zod']));
    for (const dev of ['typescript', 'vitest', '@biomejs', 'fast-check']) expect(modules).not.toContain(dev);
    expect(statSync(join(app, 'dist', 'cli', 'main.js')).isFile()).toBe(true);
    expect(readdirSync(join(app, 'schemas')).length).toBeGreaterThan(0);
    expect(existsSync(join(app, 'src')), 'TypeScript sources stay in the build stage').toBe(false);
  });

  it('declares a non-root user, volumes for config and data, tini as PID 1 and OCI labels', () => {
    expect(image.user?.uid).toBeGreaterThan(0);
    expect(image.volumes).toEqual(expect.arrayContaining(['/config', '/data']));
    expect(image.env.RXFLUME_DATA).toBe('/data');
    expect(image.entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(image.skipped.map((i) => i.text).join('\n')).toMatch(/apt-get install[^&]*\btini\b/);
    expect(image.cmd).toEqual(expect.arrayContaining(['--metrics-address', '0.0.0.0:9464']));
    expect(image.exposed).toContain('9464');
    for (const key of ['title', 'description', 'version', 'licenses']) {
      expect(image.labels[`org.opencontainers.image.${key}`], key).toBeTruthy();
    }
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(image.labels['org.opencontainers.image.version']).toBe(pkg.version);
  });

  it('starts as the image user with the exact ENTRYPOINT + CMD, passes its HEALTHCHECK, collects, and drains on SIGTERM', async () => {
    const user = image.user as { uid: number; gid: number };
    const asUser = ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
    // tini is PID 1 in the container; outside it, node gets the signal directly (what tini forwards).
    const argv = [...image.entrypoint.slice(2), ...image.cmd].map((a, i) =>
      i === 0 && a === 'node' ? process.execPath : a.startsWith('/') ? image.toHost(a) : a,
    );
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...mapEnv(image.env, image.toHost) };
    agent = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...asUser, ...argv], {
      cwd: image.toHost(image.workdir),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    agent.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    exit = new Promise((resolve) => agent.on('exit', (code) => resolve(code)));

    await waitFor(() => stderr.includes('"metricsAddress":"0.0.0.0:9464"'), { timeoutMs: 60_000, what: `metrics server\n${stderr}` });

    // The image's HEALTHCHECK, run in the agent's network namespace as the image user.
    const health = image.healthcheck?.exec as readonly string[];
    const healthArgv = health.map((a, i) => (i === 0 && a === 'node' ? process.execPath : a));
    const nsenter = ['nsenter', `--net=/proc/${agent.pid}/ns/net`, '--', ...asUser, ...healthArgv];
    execFileSync(nsenter[0] as string, nsenter.slice(1), { env, stdio: 'pipe', timeout: 30_000 });

    // A status file moved into the spool folder of the data volume reaches the local HDFS layout.
    const data = image.toHost('/data');
    const work = join(data, 'work-test');
    mkdirSync(work, { recursive: true });
    const lines = Array.from({ length: LINES }, (_, i) => statusLine(i));
    writeFileSync(join(work, 'SmartCarStatusInfo_20160101.txt'), `${STATUS_HEADER}\n${lines.join('\n')}\n`);
    // The spool folder is the writers' (the simulator service creates it in compose); the agent
    // needs write access to it to delete finished files.
    const spool = join(data, 'car-batch-log');
    mkdirSync(spool, { recursive: true });
    chownSync(spool, user.uid, user.gid);
    renameSync(join(work, 'SmartCarStatusInfo_20160101.txt'), join(spool, 'SmartCarStatusInfo_20160101.txt'));
    // The spool file is deleted only once every line is acknowledged (durable in the sink).
    await waitFor(() => readdirSync(spool).length === 0, { timeoutMs: 90_000, what: `spool file consumed\n${stderr}` });

    agent.kill('SIGTERM');
    expect(await exit, stderr).toBe(0);

    const written = filesUnder(join(data, 'hdfs')).filter((f) => f.endsWith('.log'));
    expect(written.length).toBeGreaterThan(0);
    const out = written.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    expect(out.map((l) => l.replace(/,\d{8}$/, '')).sort()).toEqual([...lines].sort());
    for (const f of written) expect(statSync(f).uid, relative(data, f)).toBe(user.uid);
    // Checkpoints and sink state live in the data volume too.
    expect(statSync(join(data, 'state')).uid).toBe(user.uid);
  }, 240_000);
});

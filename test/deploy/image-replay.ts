/**
 * Replays a Dockerfile's stages outside Docker, so a test can prove the image's exact build and
 * start steps on a machine without a Docker engine.
 *
 * Each stage gets its own folder standing for its root file system (`<root>/<n>-<name>/`);
 * absolute container paths in WORKDIR, COPY, RUN arguments, ENV values, VOLUME, ENTRYPOINT and
 * CMD are mapped into it. COPY reads the build context (or, with `--from`, an earlier stage's
 * folder); RUN runs the command with `sh -c` in the mapped WORKDIR with the stage's ENV.
 * Differences from Docker, each deliberate and checked by the caller:
 *   - an `apt-get` RUN is not run (no apt installs here); it is returned in `skipped` so the
 *     caller can check what it installs (tini) and drop that program from the entrypoint;
 *   - `npm ci` gets `--prefer-offline` (the machine's npm cache stands for the BuildKit cache
 *     mount the Dockerfile names);
 *   - the base image's node is this process's node (the caller checks the major version).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, posix } from 'node:path';
import { type Instruction, keyValues, type Stage } from './dockerfile.js';

export interface ReplayedStage {
  readonly name: string;
  /** Folder standing for the stage's root file system. */
  readonly fsRoot: string;
  /** ENV as the image declares it (container paths). */
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly user: { readonly uid: number; readonly gid: number } | undefined;
  readonly volumes: readonly string[];
  readonly exposed: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: Instruction | undefined;
  readonly skipped: readonly Instruction[];
  /** The host path standing for a container path. */
  toHost(containerPath: string): string;
}

export interface ReplayOptions {
  readonly stages: readonly Stage[];
  readonly context: string;
  readonly root: string;
  /** Output of the RUN steps goes here (the test shows it when a step fails). */
  readonly log: (text: string) => void;
}

/** Replays every stage in order; returns them all (the last one is the image). */
export function replayDockerfile(opts: ReplayOptions): ReplayedStage[] {
  const done: ReplayedStage[] = [];
  opts.stages.forEach((stage, index) => {
    done.push(replayStage(stage, index, done, opts));
  });
  return done;
}

function replayStage(stage: Stage, index: number, earlier: readonly ReplayedStage[], opts: ReplayOptions): ReplayedStage {
  const name = stage.name ?? String(index);
  const fsRoot = join(opts.root, `${index}-${name}`);
  mkdirSync(fsRoot, { recursive: true, mode: 0o755 });
  const toHost = (p: string): string => join(fsRoot, p);
  const env: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const volumes: string[] = [];
  const exposed: string[] = [];
  const skipped: Instruction[] = [];
  let workdir = '/';
  let user: { uid: number; gid: number } | undefined;
  let entrypoint: readonly string[] = [];
  let cmd: readonly string[] = [];
  let healthcheck: Instruction | undefined;
  const where = (i: Instruction) => `Dockerfile line ${i.line} (${i.keyword})`;
  const execForm = (i: Instruction): readonly string[] => {
    if (!i.exec) throw new Error(`${where(i)}: use the JSON (exec) form, so signals reach node`);
    return i.exec;
  };

  for (const i of stage.instructions) {
    switch (i.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, i.text);
        mkdirSync(toHost(workdir), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, keyValues(i));
        break;
      case 'LABEL':
        Object.assign(labels, keyValues(i));
        break;
      case 'COPY':
        copy(i, {
          from: i.flags.from === undefined ? undefined : stageNamed(i.flags.from, earlier, where(i)),
          context: opts.context,
          dest: (p) => toHost(posix.resolve(workdir, p)),
          where: where(i),
        });
        break;
      case 'RUN': {
        if (/^apt-get\s/.test(i.text)) {
          skipped.push(i);
          break;
        }
        const command = i.text
          .replace(/(^|\s)(\/[^\s;&|]*)/g, (_m, space: string, path: string) => `${space}${toHost(path)}`)
          .replace(/\bnpm ci\b/g, 'npm ci --prefer-offline');
        try {
          const out = execFileSync('sh', ['-c', command], {
            cwd: toHost(workdir),
            env: { ...process.env, ...mapEnv(env, toHost) },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            maxBuffer: 64 * 1024 * 1024,
          });
          opts.log(`$ ${command}\n${out}`);
        } catch (err) {
          const e = err as { stdout?: string; stderr?: string; message: string };
          throw new Error(`${where(i)} failed: ${command}\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
        }
        break;
      }
      case 'USER': {
        const m = /^(\d+)(?::(\d+))?$/.exec(i.text);
        if (!m) throw new Error(`${where(i)}: use a numeric uid[:gid] (Kubernetes runAsNonRoot can only verify a numeric user)`);
        user = { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
        break;
      }
      case 'VOLUME':
        for (const v of i.exec ?? i.text.split(/\s+/)) {
          volumes.push(v);
          mkdirSync(toHost(v), { recursive: true });
        }
        break;
      case 'EXPOSE':
        exposed.push(...i.text.split(/\s+/));
        break;
      case 'HEALTHCHECK':
        execForm(i);
        healthcheck = i;
        break;
      case 'ENTRYPOINT':
        entrypoint = execForm(i);
        break;
      case 'CMD':
        cmd = execForm(i);
        break;
      default:
        throw new Error(`${where(i)}: not replayable`);
    }
  }
  return { name, fsRoot, env, workdir, user, volumes, exposed, labels, entrypoint, cmd, healthcheck, skipped, toHost };
}

function stageNamed(name: string, earlier: readonly ReplayedStage[], where: string): ReplayedStage {
  const stage = earlier.find((s) => s.name === name);
  if (!stage) throw new Error(`${where}: no earlier stage named ${name}`);
  return stage;
}

/** ENV values that are absolute paths point into the stage's folder. */
export function mapEnv(env: Readonly<Record<string, string>>, toHost: (p: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = isAbsolute(v) ? toHost(v) : v;
  return out;
}

function copy(
  i: Instruction,
  opts: { from: ReplayedStage | undefined; context: string; dest: (p: string) => string; where: string },
): void {
  const args = i.exec ?? i.text.split(/\s+/);
  if (args.length < 2) throw new Error(`${opts.where}: COPY needs a source and a destination`);
  const destArg = args.at(-1) as string;
  const sources = args.slice(0, -1);
  const dest = opts.dest(destArg);
  const intoFolder = destArg.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const from = opts.from ? opts.from.toHost(source) : join(opts.context, source);
    if (!existsSync(from)) {
      throw new Error(`${opts.where}: ${source} is not in the ${opts.from ? `stage ${opts.from.name}` : 'build context (.dockerignore?)'}`);
    }
    // Docker copies a folder's contents (not the folder itself) to the destination.
    const target = statSync(from).isDirectory() ? dest : intoFolder ? join(dest, basename(source)) : dest;
    mkdirSync(statSync(from).isDirectory() ? target : join(target, '..'), { recursive: true });
    cpSync(from, target, { recursive: true });
    if (i.flags.chown !== undefined) chownTree(target, i.flags.chown, opts.where);
  }
}

function chownTree(path: string, owner: string, where: string): void {
  const m = /^(\d+)(?::(\d+))?$/.exec(owner);
  if (!m) throw new Error(`${where}: --chown must be numeric uid[:gid]`);
  const uid = Number(m[1]);
  const gid = Number(m[2] ?? m[1]);
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), owner, where);
}

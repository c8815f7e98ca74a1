/**
 * The Kafka-protocol mock broker shipped for the demo (and used by the tests and benches):
 * librdkafka's mock cluster (a real Kafka-protocol broker, native/mock-broker.c) as a child
 * process with fault injection.
 *
 * Build: the C helper is compiled once per source version into
 * node_modules/.cache/rxflume-mock-broker/<hash of the source>/mock-broker. Parallel processes
 * may build at once: each compiles to a unique temp name and renames it into place (atomic), so
 * nobody ever runs a half-written binary. Without librdkafka-dev or gcc the build fails with the
 * apt command that fixes it; `mockBrokerUnavailable()` says so up front without building (and
 * also when native/ is not installed at all, as in the Docker image).
 *
 * Lifecycle: `startMockBroker` resolves once the broker printed its bootstrap address; `stop()`
 * ends it (and the helper exits by itself when our stdin closes, so it never outlives the process
 * that started it). It runs in its own process group, so a terminal's Ctrl-C (sent to the whole
 * foreground group) does not kill it before its owner has drained into it. Commands are answered in order, so each method resolves when the broker
 * applied it.
 *
 * Mock facts: broker ids are 1..n; topics auto-create with 4 partitions (use `createTopic` for
 * another count); each partition keeps only its last ~100 k messages.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// src/demo/ and dist/demo/ both sit two folders below the package root, which ships native/.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(ROOT, 'native/mock-broker.c');
const HEADER = '/usr/include/librdkafka/rdkafka_mock.h';
/** The command that makes the broker buildable on Debian/Ubuntu. */
export const MOCK_BROKER_INSTALL_COMMAND = 'sudo apt-get install -y librdkafka-dev gcc';
const INSTALL_HINT = `install it with: ${MOCK_BROKER_INSTALL_COMMAND}`;

/** Kafka protocol API keys (for `pushRequestErrors`). */
export const ApiKey = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3 } as const;

/** Kafka protocol error codes worth injecting. */
export const KafkaErrorCode = {
  NOT_LEADER_FOR_PARTITION: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  NOT_ENOUGH_REPLICAS: 19,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_AUTHORIZATION_FAILED: 29,
} as const;

export interface MockBroker {
  /** Comma-separated `host:port` list of every broker. */
  readonly bootstrap: string;
  /** Broker `id` (1-based) stops serving; its connections are closed. */
  down(id?: number): Promise<void>;
  up(id?: number): Promise<void>;
  /** Every response of broker `id` is delayed by `ms`. */
  setRtt(id: number, ms: number): Promise<void>;
  /** The next `codes.length` Produce requests fail with these Kafka error codes, in order. */
  pushProduceErrors(codes: readonly number[]): Promise<void>;
  pushRequestErrors(apiKey: number, codes: readonly number[]): Promise<void>;
  clearRequestErrors(apiKey: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  stop(): Promise<void>;
}

let built: Promise<string> | undefined;

/** Why the broker cannot be built here and how to enable it, or undefined when it can. */
export function mockBrokerUnavailable(): { readonly reason: string; readonly enable: string } | undefined {
  if (!existsSync(SOURCE))
    return {
      reason: `its source ${SOURCE} is not part of this install`,
      enable: 'run the demo from a checkout or the npm package (both ship native/)',
    };
  if (existsSync(cachedBinaryPath())) return undefined;
  if (!existsSync(HEADER)) return { reason: `librdkafka-dev is not installed (${HEADER} is missing)`, enable: MOCK_BROKER_INSTALL_COMMAND };
  const gcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' });
  if (gcc.error || gcc.status !== 0) return { reason: 'gcc is not installed', enable: MOCK_BROKER_INSTALL_COMMAND };
  return undefined;
}

function cachedBinaryPath(): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  return join(ROOT, 'node_modules', '.cache', 'rxflume-mock-broker', hash, 'mock-broker');
}

/** Path of the compiled helper, building it first if this source version was never built. */
export function mockBrokerBinary(): Promise<string> {
  built ??= build();
  return built;
}

async function build(): Promise<string> {
  if (!existsSync(SOURCE)) throw new Error(`the Kafka test broker's source ${SOURCE} is not part of this install`);
  const binary = cachedBinaryPath();
  if (existsSync(binary)) return binary;
  if (!existsSync(HEADER)) throw new Error(`the Kafka test broker needs librdkafka-dev (${HEADER} is missing); ${INSTALL_HINT}`);
  mkdirSync(dirname(binary), { recursive: true });
  const temp = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    await promisify(execFile)('gcc', ['-O2', '-o', temp, SOURCE, '-lrdkafka']);
  } catch (err) {
    throw new Error(`building the Kafka test broker failed (${(err as Error).message.trim()}); ${INSTALL_HINT}`);
  }
  renameSync(temp, binary);
  return binary;
}

const running = new Set<ChildProcess>();

export async function startMockBroker(opts: { brokers?: number } = {}): Promise<MockBroker> {
  const binary = await mockBrokerBinary();
  // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and the
  // broker must outlive the agent's drain (the demo stops it last). It still never outlives us:
  // it exits when our end of its stdin closes.
  const child = spawn(binary, [String(opts.brokers ?? 1)], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      running.delete(child);
      const err = new Error(`mock broker exited (code ${code}, signal ${signal}): ${stderr.trim()}`);
      for (const p of pending.splice(0)) p.reject(err);
      resolve();
    });
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => {
      const m = /^bootstrap (\S+)$/.exec(line);
      if (m?.[1]) resolve(m[1]);
      else reject(new Error(`mock broker said "${line}" instead of its bootstrap address`));
    });
    void exit.then(() => reject(new Error(`mock broker did not start: ${stderr.trim()}`)));
  });
  lines.on('line', (line) => {
    const p = pending.shift();
    if (!p) return;
    if (line === 'ok') p.resolve();
    else p.reject(new Error(`mock broker: ${line}`));
  });

  const command = (text: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (exited) {
        reject(new Error(`mock broker has exited; cannot run "${text}"`));
        return;
      }
      pending.push({ resolve, reject });
      child.stdin?.write(`${text}\n`);
    });

  return {
    bootstrap,
    down: (id = 1) => command(`down ${id}`),
    up: (id = 1) => command(`up ${id}`),
    setRtt: (id, ms) => command(`rtt ${id} ${ms}`),
    pushProduceErrors: (codes) => command(`errors ${ApiKey.Produce} ${codes.join(' ')}`),
    pushRequestErrors: (apiKey, codes) => command(`errors ${apiKey} ${codes.join(' ')}`),
    clearRequestErrors: (apiKey) => command(`clear ${apiKey}`),
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    setLeader: (topic, partition, brokerId) => command(`leader ${topic} ${partition} ${brokerId}`),
    async stop() {
      if (exited) return;
      child.stdin?.end('quit\n');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** Kills every broker this process started (for afterAll hooks that lost track). */
export function killAllMockBrokers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * One fault scenario's world: a temp folder laid out like the pilot's data folder, the agent (the
 * real CLI, `bin/rxflume.js run`) as a child process over writeFaultConfig, a topic reader on the
 * shared mock broker, optionally a WebHDFS emulator, and the input written so far (the oracle's
 * "lines in"). Driving lines are `drivingLine(i)` for i = 0, 1, …; status lines come from seeded
 * simulated days, each line unique.
 *
 * Cleanup (`close`) kills the agent, stops the reader and emulator and removes the folder, so a
 * failed scenario leaves nothing running.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_HEADER, statusFileName, writeStatusDay } from '../../../src/simulator/status.js';
import { type CliProcess, killAll, startCli } from '../cli.js';
import { DRIVING_HEADER, drivingLine } from '../driving.js';
import type { MockBroker } from '../kafka/mock-broker.js';
import { collectTopic, type TopicCollector } from '../kafka/topic.js';
import { tempDir, waitFor } from '../wait.js';
import { WebHdfsEmulator } from '../webhdfs/emulator.js';
import type { BufferKind } from './buffers.js';
import { type FaultConfigOptions, writeFaultConfig } from './config.js';

export interface RigOptions extends Partial<Omit<FaultConfigOptions, 'dir' | 'brokers' | 'topic' | 'buffer' | 'webhdfsUrl'>> {
  readonly buffer: BufferKind;
  readonly webhdfs?: boolean;
  /** Run before the config is written (e.g. mount a tmpfs under the folder). */
  readonly prepare?: (dir: string) => Promise<Partial<FaultConfigOptions>> | Partial<FaultConfigOptions>;
}

let topicSeq = 0;

export class FaultRig {
  readonly drivingIn: string[] = [];
  readonly statusIn: string[] = [];
  agent: CliProcess | undefined;
  /** Every agent run's stderr, in order (for "a clear error was logged" checks). */
  readonly logs: string[] = [];
  private spoolSeq = 0;
  /** Run by `close` before the folder is removed (e.g. unmount a tmpfs). */
  readonly onClose: (() => void | Promise<void>)[] = [];

  private constructor(
    readonly dir: string,
    readonly config: string,
    readonly reader: TopicCollector,
    readonly emulator: WebHdfsEmulator | undefined,
    private readonly removeDir: () => Promise<void>,
  ) {}

  static async create(broker: MockBroker, opts: RigOptions): Promise<FaultRig> {
    const t = await tempDir('rxflume-fault-');
    const topic = `fault-${process.pid}-${++topicSeq}`;
    let extra: Partial<FaultConfigOptions>;
    try {
      extra = (await opts.prepare?.(t.dir)) ?? {};
    } catch (err) {
      await t.cleanup();
      throw err;
    }
    const emulator = opts.webhdfs ? await WebHdfsEmulator.start(join(t.dir, 'webhdfs')) : undefined;
    const config = writeFaultConfig({ ...opts, ...extra, dir: t.dir, brokers: broker.bootstrap, topic, webhdfsUrl: emulator?.url() });
    mkdirSync(join(t.dir, 'driver-realtime-log'), { recursive: true });
    mkdirSync(join(t.dir, 'car-batch-log'), { recursive: true });
    writeFileSync(join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log'), `${DRIVING_HEADER}\n`);
    const reader = await collectTopic(broker.bootstrap, topic);
    return new FaultRig(t.dir, config, reader, emulator, t.cleanup);
  }

  get drivingLog(): string {
    return join(this.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
  }

  /** Where the status files land: the local layout, or the emulator's namespace folder. */
  get hdfsRoot(): string {
    return this.emulator ? this.emulator.local('/') : join(this.dir, 'hdfs');
  }

  /**
   * Starts the agent and waits until it logged "agent started". A config the agent rejects
   * (exit 2) fails with its message, e.g. when the disk buffer is switched on but not built.
   */
  async start(): Promise<CliProcess> {
    const agent = startCli(['run', '-c', this.config, '--log-level', 'info']);
    this.agent = agent;
    let exited: { code: number | null } | undefined;
    void agent.exit.then((e) => {
      exited = e;
      this.logs.push(agent.stderr());
    });
    await waitFor(() => agent.stderr().includes('agent started') || exited, { timeoutMs: 60_000, what: 'the agent to start' });
    if (exited) {
      throw new Error(`the agent exited at start (code ${exited.code}); config ${this.config}:\n${agent.stderr().slice(-2000)}`);
    }
    return agent;
  }

  async kill9(): Promise<void> {
    const agent = this.agent;
    if (!agent) return;
    agent.child.kill('SIGKILL');
    await agent.exit;
    this.agent = undefined;
  }

  /** SIGTERM and wait: the exit code (0 = drained). */
  async stop(): Promise<number | null> {
    const agent = this.agent;
    if (!agent) return null;
    agent.child.kill('SIGTERM');
    const { code } = await agent.exit;
    this.agent = undefined;
    return code;
  }

  /** Appends the next `n` driving lines (plus `extra` raw lines, not counted as input). */
  appendDriving(n: number, extra: readonly string[] = []): void {
    const from = this.drivingIn.length;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(drivingLine(from + i));
    this.drivingIn.push(...lines);
    if (extra.length > 0) lines.push(...extra);
    appendFileSync(this.drivingLog, `${lines.join('\n')}\n`);
  }

  /** Writes a seeded status day and moves it into the spool folder whole; returns its data lines. */
  spoolStatusDay(cars: number, seed: number): number {
    const date = `2016010${(this.spoolSeq++ % 9) + 1}`;
    const work = join(this.dir, 'work', statusFileName(date));
    writeStatusDay({ date, cars, seed, file: work });
    const before = this.statusIn.length;
    for (const l of readFileSync(work, 'utf8').split('\n')) if (l !== '' && l !== STATUS_HEADER) this.statusIn.push(l);
    renameSync(work, join(this.dir, 'car-batch-log', statusFileName(date)));
    return this.statusIn.length - before;
  }

  /** Spools a file made by the caller (e.g. with garbage), moved in whole; valid lines are counted by the caller. */
  spoolRaw(name: string, text: string | Buffer): void {
    const work = join(this.dir, 'work', name);
    mkdirSync(join(this.dir, 'work'), { recursive: true });
    writeFileSync(work, text);
    renameSync(work, join(this.dir, 'car-batch-log', name));
  }

  /** True once the spool folder is empty (every file was deleted after full acknowledgement). */
  spoolDone(): boolean {
    const dir = join(this.dir, 'car-batch-log');
    // Hidden working files of the spool source do not count as pending input.
    return existsSync(dir) && readdirSync(dir).filter((f) => !f.startsWith('.')).length === 0;
  }

  async close(): Promise<void> {
    killAll();
    this.agent = undefined;
    await this.reader.stop().catch(() => {});
    await this.emulator?.stop();
    for (const hook of this.onClose.splice(0)) await hook();
    await this.removeDir();
  }
}

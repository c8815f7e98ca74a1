/**
 * `rxflume demo`: the whole pilot on one machine. In order:
 *   1. the demo folder (default ./demo-data) with the pilot's layout below it;
 *   2. Kafka: the shipped mock broker (built from native/ once) when gcc and librdkafka-dev are
 *      present, or the given brokers; otherwise it says Kafka is off, how to enable it, and the
 *      driving lines go to the local HDFS layout instead (src/demo/config.ts);
 *   3. the agent in this process on config/smartcar.yaml (its log in <dir>/agent.log), with the
 *      metrics server (default 127.0.0.1:9464, any free port when taken);
 *   4. both simulators as child processes for N cars: one status day (today) written in
 *      <dir>/work and moved into the spool folder, and the driving log in real time;
 *   5. the live view (src/top/) until Ctrl-C, SIGTERM, --duration or its output closing.
 * Stopping: simulators first, then the agent drains (stops reading, writes and acknowledges what
 * it read, saves checkpoints), then the broker and the server. The summary checks, per source,
 * in = out + filtered + dead-lettered. Result: 0 when drained and balanced, else 1.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { Agent } from '../core/agent.js';
import { formatListenAddress, parseListenAddress } from '../http/address.js';
import { readinessOf } from '../http/readiness.js';
import { type RunningHttpServer, startHttpServer } from '../http/server.js';
import { samplesFromRegistryJson } from '../metrics/samples.js';
import { DRIVING_FILE_NAME } from '../simulator/driving.js';
import { localToday } from '../simulator/stamp.js';
import { statusFileName } from '../simulator/status.js';
import { renderView } from '../top/render.js';
import { type AgentReading, ratesBetween, readingOf } from '../top/snapshot.js';
import { DEMO_LOCAL_DRIVING_SINK, demoConfig, sinksBySource } from './config.js';
import { type MockBroker, mockBrokerUnavailable, startMockBroker } from './kafka-broker.js';
import { removeUnfinishedDays, type SimulatorProcess, startSimulator } from './simulators.js';
import { formatSummary, summarize } from './summary.js';

export interface DemoOptions {
  readonly dir: string;
  readonly cars: number;
  readonly durationS: number | undefined;
  /** 'auto' = the mock broker when buildable; 'off'; or a bootstrap list of real brokers. */
  readonly kafka: 'auto' | 'off' | string;
  readonly metricsAddress: string;
  readonly seed: number;
  readonly out: NodeJS.WriteStream | NodeJS.WritableStream;
}

const CLEAR = '\x1b[H\x1b[2J';

export async function runDemo(opts: DemoOptions): Promise<number> {
  const dir = resolve(opts.dir);
  // Output that goes away (`npm start | head`) is a request to stop, not a crash: the agent
  // still drains and the summary still lands in summary.json.
  let outputGone = false;
  let onOutputGone: () => void = () => undefined;
  opts.out.on('error', () => {
    outputGone = true;
    onOutputGone();
  });
  const write = (text: string) => {
    if (!outputGone) opts.out.write(text);
  };
  const say = (line: string) => write(`${line}\n`);
  const tty = (opts.out as NodeJS.WriteStream).isTTY === true;
  mkdirSync(dir, { recursive: true });
  say(`rxflume demo: ${opts.cars} cars, data in ${dir}`);

  let broker: MockBroker | undefined;
  let brokers: string | undefined;
  if (opts.kafka === 'auto') {
    const why = mockBrokerUnavailable();
    if (why) {
      say(`Kafka is off: ${why.reason}. Driving lines go to the local HDFS layout instead.`);
      say(`  To enable Kafka in the demo: ${why.enable}`);
    } else {
      say('Kafka: starting the mock Kafka-protocol broker (built from native/mock-broker.c on first use)…');
      try {
        broker = await startMockBroker();
        brokers = broker.bootstrap;
      } catch (err) {
        say(`Kafka is off: ${(err as Error).message}. Driving lines go to the local HDFS layout instead.`);
      }
    }
  } else if (opts.kafka !== 'off') {
    brokers = opts.kafka;
  } else {
    say('Kafka is off (--no-kafka). Driving lines go to the local HDFS layout instead.');
  }
  if (brokers) say(`Kafka: brokers ${brokers}, topic SmartCar-Topic`);

  const config = demoConfig({ dataDir: dir, kafkaBrokers: brokers });
  const logFile = join(dir, 'agent.log');
  const logger = pino({ level: 'info', base: { app: 'rxflume' } }, pino.destination({ dest: logFile, sync: true, mkdir: true }));
  const agent = await Agent.create(config, { logger });
  agent.metrics.collectProcessMetrics();
  const server = await listen(agent, opts.metricsAddress, logger);
  say(`agent: config/smartcar.yaml, log ${logFile}, metrics ${server.url}/metrics (watch with: rxflume top --url ${server.url})`);
  await agent.start();

  const today = localToday();
  const spool = join(dir, 'car-batch-log');
  const work = join(dir, 'work');
  const drivingFile = join(dir, 'driver-realtime-log', DRIVING_FILE_NAME);
  const sims: SimulatorProcess[] = [];
  let statusNote: string;
  if (existsSync(join(spool, statusFileName(today)))) {
    statusNote = `status: ${statusFileName(today)} from an earlier run is still in the spool folder; the agent resumes it`;
  } else {
    sims.push(
      startSimulator('status', [
        'status',
        '--date',
        today,
        '--cars',
        String(opts.cars),
        '--out',
        work,
        '--spool',
        spool,
        '--seed',
        String(opts.seed),
        '--quiet',
      ]),
    );
    statusNote = '';
  }
  const driving = startSimulator('driving', [
    'driving',
    '--date',
    today,
    '--cars',
    String(opts.cars),
    '--file',
    drivingFile,
    '--rate-ms',
    '100',
    '--garbage-rate',
    '0.01',
    '--seed',
    String(opts.seed),
    '--quiet',
  ]);
  sims.push(driving);
  const statusSim = sims.find((s) => s.name === 'status');

  const startedAt = Date.now();
  let stopRequested = false;
  let wake: () => void = () => undefined;
  const requestStop = () => {
    stopRequested = true;
    wake();
  };
  onOutputGone = requestStop;
  if (outputGone) requestStop();
  const onSignal = () => requestStop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = opts.durationS === undefined ? undefined : setTimeout(requestStop, opts.durationS * 1000);

  const readNow = async (): Promise<AgentReading> => readingOf(samplesFromRegistryJson(await agent.metrics.registry.getMetricsAsJSON()));
  const notes = (): string[] => {
    const status = statusSim
      ? statusSim.running()
        ? `status simulator: writing the day ${today} for ${opts.cars} cars (${join('work', '')}), then moving it into car-batch-log/`
        : `status simulator: the day ${today} was ${statusSim.stderr() ? `not written: ${statusSim.stderr()}` : 'moved into car-batch-log/'}`
      : statusNote;
    const drive = driving.running()
      ? `driving simulator: a line per car every 100 ms → ${drivingFile}`
      : `driving simulator stopped ${driving.stderr()}`;
    return [
      status,
      drive,
      stopRequested ? 'stopping…' : `Ctrl-C stops${opts.durationS === undefined ? '' : ` (or after ${opts.durationS} s)`}`,
    ];
  };
  let prev: AgentReading | undefined;
  const viewEveryMs = tty ? 1000 : 5000;
  while (!stopRequested) {
    await new Promise<void>((r) => {
      const t = setTimeout(r, viewEveryMs);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
    if (stopRequested) break;
    const reading = await readNow();
    const view = renderView(reading, ratesBetween(prev, reading), {
      url: server.url,
      readiness: readinessOf(agent.status()),
      color: tty,
      notes: notes(),
    });
    write(tty ? `${CLEAR}${view}` : `${view}\n`);
    prev = reading;
  }
  clearTimeout(timer);

  say('stopping: simulators, then the agent drains…');
  await Promise.all(sims.map((s) => s.stop()));
  removeUnfinishedDays(work);
  const { drained } = await agent.stop();
  const final = await readNow();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await server.close();
  await broker?.stop();

  const summary = summarize(final, sinksBySource(config));
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  say('');
  say(`summary after ${seconds} s (${drained ? 'drained' : 'drain cut short'}):`);
  write(formatSummary(summary));
  const drivingSinks = sinksBySource(config).get('driving') ?? [];
  say(
    `data: ${join(dir, 'hdfs', 'pilot-pjt', 'collect')}/…, dead letters in ${join(dir, 'dead-letter')}` +
      (drivingSinks.includes(DEMO_LOCAL_DRIVING_SINK)
        ? ' (driving lines in driver-realtime-log/ there: Kafka was off)'
        : ', driving lines in Kafka topic SmartCar-Topic'),
  );
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify({ drained, kafka: brokers ?? null, ...summary }, null, 2)}\n`);
  return drained && summary.balanced ? 0 : 1;
}

async function listen(agent: Agent, address: string, logger: pino.Logger): Promise<RunningHttpServer> {
  const options = { metrics: agent.metrics, readiness: () => readinessOf(agent.status()), logger };
  const wanted = parseListenAddress(address);
  try {
    return await startHttpServer({ ...options, address: wanted });
  } catch (err) {
    if (wanted.port === 0) throw err;
    // Another agent (or an earlier demo) holds the port: any free port will do for a demo.
    logger.warn({ err, address: formatListenAddress(wanted) }, 'metrics address taken; using a free port');
    return startHttpServer({ ...options, address: { host: wanted.host, port: 0 } });
  }
}

// Benchmark: the real-time path (pilot config: tail of the driving log → Kafka sink) against the
// mock Kafka-protocol broker (test/support/kafka, loaded by bench/test-support.mjs), next to a
// bare kafkajs producer sending the same lines to the same broker in the same run, plus
// append → ack latency at fixed
// rates. Exported for bench/run.mjs:
//
//   import { kafkaBench } from './kafka.mjs';
//   const { throughput, latency } = await kafkaBench({ work, lines: 200_000 });
//   // throughput: [{ name, lines, seconds, rounds }, …] (bare first, then pipeline with `ratios`,
//   //   the per-round pipeline/bare ratios; ratio = rate / bare rate)
//   // latency:    [{ name, lines, seconds, rate, p50Ms, p99Ms, maxMs, coldMaxMs }, …] (per rate:
//   //   bare kafkajs (the floor: broker, kafkajs and machine), then the pipeline; percentiles
//   //   over `seconds` after a `warmupSeconds` start whose worst is coldMaxMs)
//
// Fairness: both sides send the same messages (key = car, value = the line, the event-id header)
// in requests of 1000 events, at most 5 in flight, acks all, no compression, to the same broker.
// The bare producer is stock kafkajs on this thread (what a user would write); the pipeline's
// sink runs kafkajs in a worker thread whose Produce requests are encoded in one pass by
// src/sinks/kafka/record-batch.ts (same bytes as kafkajs's encoder, a fraction of its CPU).
//
// Run alone: `npm run build && node bench/kafka.mjs` (BENCH_KAFKA_LINES, default 200000;
// BENCH_KAFKA_ROUNDS, default 3; BENCH_KAFKA_ONLY=throughput|latency to run one half).
// The append → ack time is taken where the pipeline acknowledges: when the Kafka sink's write
// resolved (the broker answered for every message of the batch), by wrapping the sink's
// registration in this process; nothing else of the pipeline is changed.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { parseConfig } from '../dist/config/load.js';
import { Agent } from '../dist/core/agent.js';
import { silentLogger } from '../dist/core/logger.js';
import { loadTestSupport } from './test-support.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PILOT = join(ROOT, 'config/smartcar.yaml');

// The test harness itself: the mock broker (built once per source version) and the driving lines.
const { startMockBroker } = await import('../dist/demo/kafka-broker.js');
const driving = await loadTestSupport(['driving.ts'], 'driving.ts');
const HEADER = driving.DRIVING_HEADER;

/** Unique, schema-valid driving lines; `run` keeps the lines of different runs distinct. */
const drivingLine = (i, run = 0) => driving.drivingLine(i + run * 10_000_000);

/**
 * Bare kafkajs: the same messages as the pipeline sends (key = car, value = the line, the
 * `rxflume.event.id` header), in requests of 1000, up to 5 in flight, acks all, no compression.
 */
async function bareKafkajs(bootstrap, topic, lines) {
  await warmTopic(bootstrap, topic);
  const producer = new Kafka({ brokers: [bootstrap], clientId: 'bench-bare', logLevel: logLevel.NOTHING }).producer({
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < lines.length) {
      const from = next;
      next += 1000;
      const messages = lines
        .slice(from, from + 1000)
        .map((l, k) => ({ key: l.slice(15, 20), value: l, headers: { 'rxflume.event.id': `driving:bench:${from + k}` } }));
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    }
  };
  await Promise.all(Array.from({ length: 5 }, worker));
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return { name: 'bare kafkajs producer (1000 per request, 5 in flight, acks all)', lines: lines.length, seconds };
}

/**
 * Append → ack times of one run. Lines appended in the first `warmupMs` (the pipeline's start:
 * threads spawning, code not yet optimized) are kept apart, so p50/p99/max are the steady state
 * a long-running agent shows; `coldMaxMs` reports the start.
 */
class Latencies {
  constructor(warmupMs) {
    this.warmupMs = warmupMs;
    this.t0 = performance.now();
    this.cold = [];
    this.steady = [];
  }
  add(appendedAt, ackedAt) {
    (appendedAt - this.t0 < this.warmupMs ? this.cold : this.steady).push(ackedAt - appendedAt);
  }
  get count() {
    return this.cold.length + this.steady.length;
  }
  row(name, seconds, rate) {
    const l = this.steady.sort((a, b) => a - b);
    const q = (p) => l[Math.min(l.length - 1, Math.floor(p * l.length))] ?? Number.NaN;
    const coldMaxMs = this.cold.length > 0 ? this.cold.reduce((m, x) => Math.max(m, x)) : Number.NaN;
    return { name, lines: l.length, seconds, rate, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: l.at(-1) ?? Number.NaN, coldMaxMs };
  }
}

/**
 * Appends lines at `rate` lines/s for `seconds`, in 100 ticks a second, calling `append(chunk,
 * now)` per tick; the same pacing for the bare producer and the pipeline. Returns the line count.
 */
async function paced(rate, seconds, run, append) {
  const total = Math.round(rate * seconds);
  const perTick = Math.max(1, Math.round(rate / 100));
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const due = t0 + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const chunk = [];
    for (let k = 0; k < perTick && i < total; k++, i++) chunk.push(drivingLine(i, run));
    append(chunk, performance.now());
  }
  return total;
}

async function settle(latencies, total) {
  const deadline = performance.now() + 60_000;
  while (latencies.count < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * The floor for append → ack: a bare kafkajs producer handed each line the moment it is
 * "appended" (no file, no tail, no parse), batching as a reasonable producer does: a send when
 * 5 ms passed since the first waiting line or 1000 lines wait, sends overlapping (at most 5 in
 * flight), acks all, same messages as the pipeline's.
 */
async function bareLatency(bootstrap, topic, rate, seconds, warmupSeconds, run) {
  await warmTopic(bootstrap, topic);
  const producer = new Kafka({ brokers: [bootstrap], clientId: 'bench-bare-latency', logLevel: logLevel.NOTHING }).producer({
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  const latencies = new Latencies(warmupSeconds * 1000);
  let waiting = [];
  let timer;
  let inFlight = 0;
  const queued = [];
  const send = (batch) => {
    inFlight++;
    const messages = batch.map(({ line, seq }) => ({
      key: line.slice(15, 20),
      value: line,
      headers: { 'rxflume.event.id': `bare:${seq}` },
    }));
    producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] }).then(() => {
      const now = performance.now();
      for (const m of batch) latencies.add(m.at, now);
      inFlight--;
      const next = queued.shift();
      if (next) send(next);
    });
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (inFlight < 5) send(batch);
    else queued.push(batch);
  };
  let seq = 0;
  const total = await paced(rate, seconds + warmupSeconds, run, (chunk, now) => {
    for (const line of chunk) waiting.push({ line, at: now, seq: seq++ });
    if (waiting.length >= 1000) flush();
    else if (timer === undefined) timer = setTimeout(flush, 5);
  });
  await settle(latencies, total);
  await producer.disconnect();
  return latencies.row(`bare kafkajs append → ack at ${rate.toLocaleString('en-US')} lines/s (linger 5 ms)`, seconds, rate);
}

/** The pilot agent with its driving sink wrapped to time acknowledgements. */
async function startPilot(dir, bootstrap, topic, onAck) {
  const yaml = readFileSync(PILOT, 'utf8').replace('topic: SmartCar-Topic', `topic: ${topic}`);
  const parsed = parseConfig(yaml, PILOT, { RXFLUME_DATA: dir, RXFLUME_AGENT_ID: 'bench', RXFLUME_KAFKA_BROKERS: bootstrap });
  const sinks = parsed.sinks.map((s) =>
    s.id !== 'driving_kafka'
      ? s
      : {
          ...s,
          registration: {
            ...s.registration,
            create(config, ctx) {
              const inner = s.registration.create(config, ctx);
              return {
                id: inner.id,
                start: () => inner.start(),
                close: () => inner.close(),
                async write(batch) {
                  await inner.write(batch);
                  onAck(batch.events, performance.now());
                },
              };
            },
          },
        },
  );
  const agent = await Agent.create({ ...parsed, sinks }, { logger: silentLogger() });
  await agent.start();
  return agent;
}

/** Creates the topic and loads its metadata, so neither case pays for that inside its timing. */
async function warmTopic(bootstrap, topic) {
  const producer = new Kafka({ brokers: [bootstrap], clientId: 'bench-warm', logLevel: logLevel.NOTHING }).producer({
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'warm', value: 'up' }] });
  await producer.disconnect();
}

async function pipelineThroughput(dir, bootstrap, topic, lines) {
  await warmTopic(bootstrap, topic);
  const log = join(dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
  mkdirSync(join(dir, 'driver-realtime-log'), { recursive: true });
  writeFileSync(log, `${HEADER}\n${lines.join('\n')}\n`);
  let acked = 0;
  let done;
  const all = new Promise((r) => {
    done = r;
  });
  let started = 0;
  const agent = await startPilot(dir, bootstrap, topic, (events, now) => {
    if (started === 0) started = now; // first ack; the clock below starts at agent start
    acked += events.length;
    if (acked >= lines.length) done(now);
  });
  const t0 = performance.now();
  const end = await all;
  await agent.stop();
  return {
    name: 'pipeline: tail → regex filter → parse/validate → Kafka sink (text, acks all)',
    lines: lines.length,
    seconds: (end - t0) / 1000,
  };
}

async function pipelineLatency(dir, bootstrap, topic, rate, seconds, warmupSeconds, run) {
  await warmTopic(bootstrap, topic); // as the bare producer's: topic creation is not the path's latency
  const log = join(dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
  mkdirSync(join(dir, 'driver-realtime-log'), { recursive: true });
  writeFileSync(log, `${HEADER}\n`);
  const appended = new Map();
  let latencies;
  const agent = await startPilot(dir, bootstrap, topic, (events, now) => {
    for (const e of events) {
      const at = appended.get(e.body.toString());
      if (at !== undefined) latencies.add(at, now);
    }
  });
  latencies = new Latencies(warmupSeconds * 1000);
  const total = await paced(rate, seconds + warmupSeconds, run, (chunk, now) => {
    for (const l of chunk) appended.set(l, now);
    appendFileSync(log, `${chunk.join('\n')}\n`);
  });
  await settle(latencies, total);
  await agent.stop();
  return latencies.row(`pipeline append → ack at ${rate.toLocaleString('en-US')} lines/s`, seconds, rate);
}

/**
 * Throughput is measured `rounds` times, bare and pipeline interleaved (each round on fresh
 * topics), so both see the same machine load; the rows are the median round of each.
 */
export async function kafkaBench({
  work,
  lines: n = Number(process.env.BENCH_KAFKA_LINES ?? 200_000),
  latencySeconds = 5,
  warmupSeconds = 1,
  rounds = Number(process.env.BENCH_KAFKA_ROUNDS ?? 3),
  only = process.env.BENCH_KAFKA_ONLY,
}) {
  const broker = await startMockBroker();
  try {
    const lines = Array.from({ length: n }, (_, i) => drivingLine(i));
    const throughput = [];
    if (only !== 'latency') {
      const bare = [];
      const pipeline = [];
      for (let r = 0; r < rounds; r++) {
        bare.push(await bareKafkajs(broker.bootstrap, `bench-bare-${r}`, lines));
        pipeline.push(await pipelineThroughput(join(work, `kafka-throughput-${r}`), broker.bootstrap, `bench-pipeline-${r}`, lines));
      }
      const median = (rows) => [...rows].sort((a, b) => a.seconds - b.seconds)[Math.floor(rows.length / 2)];
      const ratios = pipeline.map((p, r) => (bare[r].seconds / p.seconds).toFixed(3));
      throughput.push({ ...median(bare), rounds }, { ...median(pipeline), rounds, ratios: ratios.join(' ') });
    }
    const latency = [];
    if (only !== 'throughput') {
      let run = 1;
      for (const rate of [1000, 20_000]) {
        latency.push(await bareLatency(broker.bootstrap, `bench-bare-latency-${rate}`, rate, latencySeconds, warmupSeconds, run++));
        latency.push(
          await pipelineLatency(
            join(work, `kafka-latency-${rate}`),
            broker.bootstrap,
            `bench-latency-${rate}`,
            rate,
            latencySeconds,
            warmupSeconds,
            run++,
          ),
        );
      }
    }
    return { throughput, latency };
  } finally {
    await broker.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const work = mkdtempSync(join(tmpdir(), 'rxflume-kafka-bench-'));
  try {
    const { throughput, latency } = await kafkaBench({ work });
    const bareRate = throughput.length > 0 ? throughput[0].lines / throughput[0].seconds : Number.NaN;
    for (const r of throughput) {
      const rate = r.lines / r.seconds;
      const perRound = r.ratios ? `; per round ${r.ratios}` : '';
      console.log(
        `${r.name}: ${Math.round(rate).toLocaleString('en-US')} lines/s (median of ${r.rounds}, ${r.seconds.toFixed(2)} s, ratio ${(rate / bareRate).toFixed(3)}${perRound})`,
      );
    }
    for (const r of latency)
      console.log(
        `${r.name}: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms (${r.lines} lines; first second: max ${r.coldMaxMs.toFixed(1)} ms)`,
      );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

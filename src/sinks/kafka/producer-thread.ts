/**
 * The kafkajs producer in a worker thread (`producerThread: worker`, the default).
 *
 * Why: kafkajs's record encoding costs about as much CPU per line as the whole upstream pipeline
 * (tail, interceptors, parse, validate); on one thread the two add up, on two they overlap.
 * Measured with bench/kafka.mjs: the pipeline reached ~0.6x a bare kafkajs producer on one
 * thread. Requests cross as two transferred buffers (packed-request.ts), answers as plain data.
 * In the thread, uncompressed requests are encoded in one pass (record-batch.ts) instead of by
 * kafkajs per message: that took the pipeline from ~0.9x to ~1.35x a bare kafkajs producer
 * (bench/kafka.mjs, interleaved rounds). Only this thread's kafkajs is changed; the agent's own
 * (producerThread: main, `rxflume consume`) is stock.
 *
 * Protocol (main → worker): {id, op: 'connect' | 'disconnect' | 'send', request?}; (worker →
 * main): {id, ok, result | error} or {log}. Errors cross as plain objects with kafkajs's `name`,
 * `type`, `retriable` and the wrapped `cause`, so errors.ts classifies them as if thrown here.
 *
 * Failure modes: a worker that dies (or fails to start) rejects every pending call with a
 * connection-class error (the sink then replaces the producer, i.e. starts a new thread);
 * `disconnect` always terminates the thread, even when kafkajs's own disconnect hangs.
 *
 * The worker's source is a string (CommonJS, `eval: true`) so it runs unchanged from src/ under
 * the test runner and from dist/; kafkajs is resolved here and passed in as an absolute path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/logger.js';
import type { KafkaSinkConfig } from './config.js';
import { packRequest } from './packed-request.js';
import type { PartitionAck, ProducerClient, ProducerFactory } from './producer.js';
import { FAST_ENCODING_SOURCE } from './record-batch-install.js';

const KAFKAJS = createRequire(import.meta.url).resolve('kafkajs');

const DISCONNECT_WAIT_MS = 5000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${FAST_ENCODING_SOURCE}
const { Kafka, CompressionTypes, Partitioners, logLevel } = require(workerData.kafkajs);
const c = workerData.config;
const kafka = new Kafka({
  brokers: c.brokers, clientId: c.clientId, connectionTimeout: c.connectionTimeoutMs,
  requestTimeout: c.requestTimeoutMs, retry: { retries: 0 }, ssl: c.ssl, sasl: c.sasl,
  logLevel: logLevel.WARN,
  logCreator: () => (e) => {
    try { parentPort.postMessage({ log: { namespace: e.namespace, message: String(e.log.message), error: e.log.error } }); } catch {}
  },
});
const producer = kafka.producer({
  allowAutoTopicCreation: true, idempotent: false, retry: { retries: 0 },
  createPartitioner: Partitioners.DefaultPartitioner,
});
parentPort.postMessage({ log: { namespace: 'rxflume', message: fastEncoding ? 'one-pass produce encoder installed' : 'kafkajs produce encoder in use (one-pass encoder not installed)' } });
const compression = c.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
function unpack(p) {
  const data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  const meta = p.meta;
  let m = 0, pos = 0;
  const take = (len) => { const b = data.subarray(pos, pos + len); pos += len; return b; };
  return p.topics.map((topic, t) => {
    const messages = new Array(p.counts[t]);
    for (let i = 0; i < messages.length; i++) {
      const keyLength = meta[m++];
      const key = keyLength < 0 ? null : take(keyLength);
      const value = take(meta[m++]);
      const n = meta[m++];
      let headers;
      if (n > 0) {
        headers = {};
        for (let h = 0; h < n; h++) { const name = p.names[meta[m++]]; headers[name] = take(meta[m++]); }
      }
      messages[i] = headers ? { key, value, headers } : { key, value };
    }
    return { topic, messages };
  });
}
const plain = (e) => e && typeof e === 'object'
  ? { name: e.name, message: e.message, type: e.type, code: e.code, retriable: e.retriable }
  : { name: 'Error', message: String(e) };
function errorOf(err) {
  const out = plain(err);
  const inner = err && (err.cause || err.originalError);
  if (inner) out.cause = plain(inner);
  return out;
}
parentPort.on('message', async (msg) => {
  try {
    let result;
    if (msg.op === 'connect') await producer.connect();
    else if (msg.op === 'disconnect') await producer.disconnect();
    else {
      const answers = await producer.sendBatch({ acks: c.acks, timeout: c.requestTimeoutMs, compression, topicMessages: unpack(msg.request) });
      result = answers.map((a) => ({ topic: a.topicName, partition: a.partition, errorCode: a.errorCode, baseOffset: a.baseOffset }));
    }
    parentPort.postMessage({ id: msg.id, ok: true, result });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: errorOf(err) });
  }
});
`;

interface PlainError {
  name?: string;
  message?: string;
  type?: string;
  code?: number;
  retriable?: boolean;
  cause?: PlainError;
}

function revive(e: PlainError): Error {
  const err = Object.assign(new Error(e.message ?? 'unknown error'), { type: e.type, code: e.code, retriable: e.retriable });
  err.name = e.name ?? 'Error';
  if (e.cause) (err as { cause?: unknown }).cause = revive(e.cause);
  return err;
}

type Reply = { id: number; ok: true; result?: PartitionAck[] } | { id: number; ok: false; error: PlainError };

class ThreadProducer implements ProducerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: PartitionAck[] | undefined) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private dead: Error | undefined;

  constructor(config: KafkaSinkConfig, ssl: unknown, logger: Logger) {
    const { brokers, clientId, connectionTimeoutMs, requestTimeoutMs, sasl, acks, compression } = config;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { kafkajs: KAFKAJS, config: { brokers, clientId, connectionTimeoutMs, requestTimeoutMs, ssl, sasl, acks, compression } },
    });
    this.worker.on('message', (msg: Reply | { log: Record<string, unknown> }) => {
      if ('log' in msg) {
        logger.debug({ kafkajs: msg.log.namespace, error: msg.log.error }, `kafkajs: ${String(msg.log.message)}`);
        return;
      }
      const call = this.pending.get(msg.id);
      if (!call) return;
      this.pending.delete(msg.id);
      if (msg.ok) call.resolve(msg.result);
      else call.reject(revive(msg.error));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`producer thread exited with code ${code}`)));
  }

  connect(): Promise<void> {
    return this.call({ op: 'connect' }).then(() => undefined);
  }

  async send(request: Parameters<ProducerClient['send']>[0]): Promise<PartitionAck[]> {
    const packed = packRequest(request);
    return (await this.call({ op: 'send', request: packed }, [packed.meta.buffer as ArrayBuffer, packed.data.buffer as ArrayBuffer])) ?? [];
  }

  async disconnect(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DISCONNECT_WAIT_MS);
    });
    await Promise.race([this.call({ op: 'disconnect' }).catch(() => undefined), limit]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  private call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<PartitionAck[] | undefined> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message }, transfer);
    });
  }

  private fail(cause: Error): void {
    this.dead ??= Object.assign(new Error(`producer thread failed: ${cause.message}`), { name: 'RxflumeProducerThreadError', cause });
    for (const call of this.pending.values()) call.reject(this.dead);
    this.pending.clear();
  }
}

/** A factory of thread-backed producers; each producer is one worker thread with its own kafkajs client. */
export function threadProducerFactory(config: KafkaSinkConfig, ssl: unknown, logger: Logger): ProducerFactory {
  return () => new ThreadProducer(config, ssl, logger);
}

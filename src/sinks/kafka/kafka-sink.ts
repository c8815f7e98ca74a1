/**
 * The Kafka sink: a write resolves only when the broker acknowledged every message of the batch.
 *
 * Write protocol: the batch is encoded into produce requests, each in one in-flight lane chosen by
 * message key (messages.ts); the lanes (at most `maxInFlight`) run at once on one producer, each
 * sending its requests strictly in sequence and stopping at its first failure (the other lanes
 * go on to their end). The write resolves when every request was answered without error, and
 * otherwise rejects with a classified error (errors.ts): the sink lane retries transient ones
 * with backoff and dead-letters the batch on a permanent one.
 *
 * Invariants:
 * - Nothing is acknowledged on enqueue: only a broker answer (acks all/1) settles a request.
 * - A retried batch (the same batch object, writes are never concurrent) skips the requests the
 *   broker already acknowledged, so a partial failure repeats only what was not confirmed.
 * - Per-key order holds with any `maxInFlight`: all of a key's events are in one lane, a lane
 *   never sends a request before the previous one was acknowledged, and a retry resends each
 *   lane's unacknowledged requests (a suffix of the lane) in lane order. The only repeats are of
 *   that suffix: messages of a failed request the broker had written anyway (e.g. one broker of
 *   a multi-broker request answered, another did not).
 * - A permanent failure of one request fails the write, and the sink lane dead-letters the whole
 *   batch: events of requests the broker had already accepted are then both in the topic and in
 *   the dead-letter file (same event ids) — repeated, never lost.
 * - A connection-class failure (refused, closed, timed out, broker missing) throws the producer
 *   away; the next attempt connects a fresh one. That is our reconnect, independent of kafkajs's
 *   own, which is known to give up after a dropped connection. A send that does not settle within
 *   twice `requestTimeoutMs` counts as such a failure (kafkajs can hang after broker loss).
 * - `start` never fails on an unreachable broker (the agent must start, and keep reading into its
 *   bounded buffer): it tries once, logs, and reports the connection state.
 *
 * Metrics: sinkConnection(id, true) after a connect or an acknowledged send, (id, false) after a
 * connection-class failure; a down → up transition counts a reconnect.
 */
import type { ComponentContext, Sink } from '../../core/component.js';
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { EventBatch } from '../../core/event.js';
import type { KafkaSinkConfig } from './config.js';
import { classifyKafkaError, type KafkaSendError, partitionAnswerError } from './errors.js';
import { MessageEncoder, type ProduceRequest } from './messages.js';
import type { ProducerClient, ProducerFactory } from './producer.js';

const DISCONNECT_WAIT_MS = 5000;

export class KafkaSink implements Sink {
  readonly id: string;
  private readonly encoder: MessageEncoder;
  private producer: Promise<ProducerClient> | undefined;
  /** Requests of the last failed batch the broker did acknowledge (see the header). */
  private partial: { batch: EventBatch; acked: boolean[] } | undefined;
  private closed = false;

  constructor(
    private readonly config: KafkaSinkConfig,
    private readonly ctx: ComponentContext,
    private readonly createProducer: ProducerFactory,
  ) {
    this.id = ctx.id;
    this.encoder = new MessageEncoder(config, ctx.id);
  }

  async start(): Promise<void> {
    try {
      await this.connected();
      this.ctx.logger.info({ sink: this.id, brokers: this.config.brokers }, 'kafka sink connected');
    } catch (err) {
      // Classifying reports a connection-class failure as disconnected (/readyz: not ready).
      const error = this.failed(err);
      this.ctx.logger.warn(
        { sink: this.id, brokers: this.config.brokers, err: error },
        'kafka brokers unreachable at start; will retry on write',
      );
    }
  }

  async write(batch: EventBatch): Promise<void> {
    if (this.closed) throw new RxfError(ErrorCodes.SHUTDOWN, `sink ${this.id} is closed`);
    if (batch.events.length === 0) return;
    const requests = this.encoder.encode(batch);
    if (this.partial?.batch !== batch) this.partial = { batch, acked: requests.map(() => false) };
    const { acked } = this.partial;
    let producer: ProducerClient;
    try {
      producer = await this.connected();
    } catch (err) {
      throw this.failed(err);
    }
    const lanes = new Map<number, number[]>();
    for (let i = 0; i < requests.length; i++) {
      if (acked[i]) continue;
      const lane = (requests[i] as ProduceRequest).lane;
      const list = lanes.get(lane);
      if (list) list.push(i);
      else lanes.set(lane, [i]);
    }
    const errors: KafkaSendError[] = [];
    const runLane = async (todo: number[]) => {
      for (const i of todo) {
        try {
          await this.send(producer, requests[i] as ProduceRequest);
          acked[i] = true;
        } catch (err) {
          errors.push(classifyKafkaError(err, this.id));
          return;
        }
      }
    };
    await Promise.all(Array.from(lanes.values(), runLane));
    if (errors.length > 0) throw this.failed(errors.find((e) => !e.retriable) ?? errors[0]);
    this.partial = undefined;
    this.ctx.metrics.sinkConnection(this.id, true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dropProducer();
  }

  private async send(producer: ProducerClient, request: ProduceRequest): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limitMs = 2 * this.config.requestTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${limitMs} ms`), { name: 'KafkaJSTimeout' })), limitMs);
      timer.unref();
    });
    try {
      const answers = await Promise.race([producer.send(request.topicMessages), timeout]);
      for (const a of answers) if (a.errorCode !== 0) throw partitionAnswerError(this.id, a.topic, a.partition, a.errorCode);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The current producer, connecting a fresh one if there is none. */
  private connected(): Promise<ProducerClient> {
    if (!this.producer) {
      const client = this.createProducer();
      const connecting = client.connect().then(() => {
        this.ctx.metrics.sinkConnection(this.id, true);
        return client;
      });
      this.producer = connecting;
      connecting.catch(() => {
        if (this.producer === connecting) this.producer = undefined;
        void this.disconnect(client);
      });
    }
    return this.producer;
  }

  /** Classifies a failure; a connection-class one replaces the producer before the next attempt. */
  private failed(err: unknown): KafkaSendError {
    const error = classifyKafkaError(err, this.id);
    if (error.connection) {
      this.ctx.metrics.sinkConnection(this.id, false);
      void this.dropProducer();
    }
    return error;
  }

  /** Forgets the current producer (the next attempt connects a fresh one) and disconnects it. */
  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer)
      await producer.then(
        (p) => this.disconnect(p),
        () => undefined,
      );
  }

  /** Disconnects without ever rejecting or waiting forever (kafkajs can hang on a dead broker). */
  private async disconnect(producer: ProducerClient): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DISCONNECT_WAIT_MS);
      timer.unref();
    });
    await Promise.race([producer.disconnect().catch(() => undefined), limit]);
    clearTimeout(timer);
  }
}

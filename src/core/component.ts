/**
 * The contracts between components. A component type is one registration
 * `{ type, configSchema, create }`: the zod schema gives defaults, docs and error messages,
 * `create` builds the component from an already validated, frozen config.
 */
import type { Observable } from 'rxjs';
import type { z } from 'zod';
import type { FlowGate } from '../buffers/memory.js';
import type { Metrics } from '../metrics/metrics.js';
import type { EventBatch, FlumeEvent } from './event.js';
import type { Logger } from './logger.js';

/** What every component gets from the agent. */
export interface ComponentContext {
  /** The component's id as named in the config (`sources.<id>`, `sinks.<id>`). */
  readonly id: string;
  /** The agent id; part of sink file names so several agents can share a folder. */
  readonly agentId: string;
  /** Folder for this agent's checkpoints and other durable state. */
  readonly stateDir: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Clock, injectable for tests of time-based behaviour (roll intervals, path escapes). */
  readonly now: () => number;
}

export interface SourceContext extends ComponentContext {
  /** The bounded buffer: a source reads only while `gate.admit` lets it. */
  readonly gate: FlowGate;
}

/**
 * A source is a cold observable of batches. Reading starts on subscribe and continues while the
 * gate admits; `stop()` makes it stop reading, complete the observable, and resolve once no more
 * batches will come. A finite source (a test's `exitWhenDone`) may complete by itself.
 */
export interface Source {
  readonly id: string;
  events(): Observable<EventBatch>;
  stop(): Promise<void>;
  /**
   * Called once the pipeline has settled everything this source emitted (after `stop()`): finish
   * the work those late acks started (checkpoint writes, spool file renames) before the process
   * exits. Resolves when it is on disk; never rejects (failures are logged and counted).
   */
  flush(): Promise<void>;
}

/**
 * A sink makes batches durable. `write` resolves only when every event of the batch is durable
 * in the destination (the caller then acknowledges them) and rejects with an RxfError whose
 * `retriable` flag tells the retry operator what to do. Writes to one sink are never concurrent.
 */
export interface Sink {
  readonly id: string;
  /** Connect, recover leftovers of a previous run. Called once before the first write. */
  start(): Promise<void>;
  write(batch: EventBatch): Promise<void>;
  /**
   * A hint that `batch` will be written after the batches already given: the sink may start work
   * that does not depend on its state (e.g. compressing), for `write` to use. Never throws; the
   * batch may also never be written (a teardown), so nothing may depend on it.
   */
  prepare?(batch: EventBatch): void;
  /** Flush and finalize (close open files) after the last write. */
  close(): Promise<void>;
}

export interface DeadLetterEntry {
  /** The event as it stood when it was rejected. */
  readonly event: FlumeEvent;
  readonly sourceId: string;
  readonly stage: 'source' | 'parse' | 'validate' | 'sink';
  /** Stable reason code, e.g. `RXF_VALIDATION_FAILED`. */
  readonly code: string;
  /** Human reason including the failing field path, e.g. `tire_fl: 140 is above 100`. */
  readonly reason: string;
  /** The component that rejected it (sink id for `sink`). */
  readonly componentId?: string;
}

/** Rejected events go here; `write` resolves when the entries are durable. */
export interface DeadLetterSink {
  write(entries: readonly DeadLetterEntry[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * An interceptor sees one event at a time (called in a per-batch loop) and answers the event
 * to keep (possibly changed) or `null` to drop it. It must not settle acks: the chain does.
 */
export interface Interceptor {
  readonly type: string;
  intercept(event: FlumeEvent): FlumeEvent | null;
}

export type ParseResult = { ok: true; record: Record<string, unknown> } | { ok: false; code: string; reason: string };

/**
 * Turns a line (the event body after interceptors) into a record valid against its Avro schema.
 * `reason` names the failing field path, e.g. `tire_fl: 140 is above the maximum 100`.
 */
export interface RecordParser {
  readonly schema: import('./event.js').SchemaRef;
  parse(body: Buffer): ParseResult;
  /**
   * A parser for whole batches off the main thread (a worker), when this parser offers one. The
   * caller owns it: `close` it when done. Each valid record comes back Avro-encoded.
   */
  openBatchParser?(): BatchParser;
}

/** Line i of a batch: its record's Avro encoding, or a failure (code and reason as `parse` gives). */
export interface EncodedBatch {
  /** Record i is `encoded[encodedEnds[i - 1] ?? 0, encodedEnds[i])`; empty for a failed line. */
  readonly encoded: Buffer;
  readonly encodedEnds: Int32Array;
  readonly failures: readonly { readonly index: number; readonly code: string; readonly reason: string }[];
}

/**
 * Parses batches in order, off the main thread. A batch promise rejects only when the parser
 * itself broke (worker crash, closed); bad lines are failures inside the result.
 */
export interface BatchParser {
  parseBatch(bodies: readonly Buffer[]): Promise<EncodedBatch>;
  close(): Promise<void>;
}

export interface ComponentRegistration<TConfig, TComponent, TContext extends ComponentContext = ComponentContext> {
  readonly type: string;
  readonly configSchema: z.ZodType<TConfig>;
  create(config: TConfig, ctx: TContext): TComponent;
}

/**
 * One source's pipeline: source → interceptors → parse/validate (dead-letter) → rebatch → fan-out
 * to its sinks. Acks flow back through the events; the source's checkpoints follow them.
 *
 * Invariants:
 * - With a memory buffer the only buffer is the source's FlowGate: every stage after the source
 *   holds events that took gate credit, so read − settled never exceeds the bound, whatever a
 *   sink does. With a disk buffer (`diskBuffer`) events settle once durable in the disk log, and
 *   the sinks are fed from the log (src/buffers/disk/stage.ts): the gate bounds what is read and
 *   not yet in the log, the log's maxBytes what is in the log and not yet in every sink.
 * - `done` resolves when the source completed (after `stop()` or by itself) and every lane
 *   drained; it rejects if the source failed. Stopping never settles an event as delivered that
 *   was not: unsettled events are settled `failed` on teardown and read again after a restart.
 * - A pipeline stopped before it started never starts; its `done` resolves at the stop.
 */
import { identity, type Subscription } from 'rxjs';
import type { DiskLog } from '../buffers/disk/disk-log.js';
import { diskBuffered } from '../buffers/disk/stage.js';
import type { FlowGate } from '../buffers/memory.js';
import type { BufferReading, Metrics } from '../metrics/metrics.js';
import { fanOut } from '../operators/fan-out.js';
import { interceptBatch } from '../operators/intercept-batch.js';
import { rebatch } from '../operators/rebatch.js';
import type { SinkLane } from '../operators/sink-lane.js';
import { validateBatch } from '../operators/validate-batch.js';
import type { DeadLetterSink, Interceptor, RecordParser, Source } from './component.js';
import type { Logger } from './logger.js';

export interface PipelineParts {
  readonly source: Source;
  readonly gate: FlowGate;
  /** A disk buffer (`buffer.type: disk`): the log sits between validation and the sinks. */
  readonly diskBuffer?: DiskLog;
  /** What the buffer gauges report; default the gate. */
  readonly bufferReading?: BufferReading;
  readonly interceptors: readonly Interceptor[];
  readonly parser: RecordParser;
  readonly lanes: readonly SinkLane[];
  readonly deadLetter: DeadLetterSink;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Coalescing before the sinks: the smallest batchSize / batchTimeoutMs of the source's sinks. */
  readonly batch: { readonly maxEvents: number; readonly lingerMs: number };
}

export class SourcePipeline {
  readonly id: string;
  private subscription: Subscription | undefined;
  private stopped = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(private readonly parts: PipelineParts) {
    this.id = parts.source.id;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A failure is reported through `done`; keep an unobserved rejection from crashing the process.
    this.done.catch(() => undefined);
  }

  /** The buffer as its gauges see it (the flow gate, or the disk log). */
  get bufferReading(): BufferReading {
    return this.parts.bufferReading ?? this.parts.gate;
  }

  start(): void {
    // Stopped before it started (a shutdown during the sinks' start): nothing was read, nothing to run.
    if (this.stopped || this.subscription) return;
    const p = this.parts;
    const sourceId = p.source.id;
    this.subscription = p.source
      .events()
      .pipe(
        interceptBatch(p.interceptors, { sourceId, metrics: p.metrics, logger: p.logger }),
        validateBatch(p.parser, p.deadLetter, { sourceId, metrics: p.metrics, logger: p.logger }),
        p.batch.maxEvents > 1 ? rebatch({ maxEvents: p.batch.maxEvents, lingerMs: p.batch.lingerMs }) : identity,
        p.diskBuffer
          ? diskBuffered(p.diskBuffer, p.lanes, {
              sourceId,
              metrics: p.metrics,
              logger: p.logger,
              parser: p.parser,
              deadLetter: p.deadLetter,
            })
          : fanOut(p.lanes, { logger: p.logger }),
      )
      .subscribe({
        error: (err) => {
          p.logger.error({ err, source: sourceId }, 'pipeline failed');
          this.rejectDone(err);
        },
        complete: () => this.resolveDone(),
      });
  }

  /** Stops reading; `done` resolves once everything read has been settled by the sinks. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.subscription) this.resolveDone();
    await this.parts.source.stop();
  }

  /** After `done`: lets the source write what late acks changed (checkpoints, spool renames). */
  flush(): Promise<void> {
    return this.parts.source.flush();
  }

  /** Tears the pipeline down at once (drain deadline passed): unsettled events become `failed`. */
  abort(): void {
    this.parts.gate.close();
    this.subscription?.unsubscribe();
    this.resolveDone();
  }
}

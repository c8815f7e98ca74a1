/**
 * Makes one sink safe to share between several source pipelines: writes are queued and run one
 * at a time (the Sink contract says writes to one sink are never concurrent), and start/close
 * happen once however many pipelines use it. `close` runs after a start in progress and after
 * every write queued before it; a write that never returns therefore holds `close` too (the
 * agent bounds that wait with its drain deadline).
 */
import type { Sink } from './component.js';
import type { EventBatch } from './event.js';

export class SerialSink implements Sink {
  private tail: Promise<unknown> = Promise.resolve();
  private started: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly inner: Sink) {}

  get id(): string {
    return this.inner.id;
  }

  start(): Promise<void> {
    this.started ??= this.inner.start();
    return this.started;
  }

  prepare(batch: EventBatch): void {
    this.inner.prepare?.(batch);
  }

  write(batch: EventBatch): Promise<void> {
    const run = this.tail.then(() => this.inner.write(batch));
    // The queue must go on after a failed write; the caller sees the failure through `run`.
    this.tail = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    // After a start still in progress (a stop during start), then after every queued write.
    this.closed ??= Promise.allSettled([this.started])
      .then(() => this.tail)
      .then(() => this.inner.close());
    return this.closed;
  }
}

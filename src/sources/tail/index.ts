/**
 * The `tail` source registration: follows one file by name like `tail -F`, at least once.
 *
 * The observable is cold and single-use: subscribing starts the follower; `stop()` (or
 * unsubscribing) stops reading, abandons a pending gate admission, completes the observable,
 * closes handles and flushes the checkpoint. `stop()` is idempotent and resolves once no more
 * batches will come. Acks settled after `stop()` still advance the checkpoint (written by the
 * store in the background), so a pipeline may drain in-flight events after stopping the source.
 * See follower.ts for the reading loop and docs/tail-follower.md for the design.
 */
import { resolve } from 'node:path';
import { Observable } from 'rxjs';
import type { ComponentRegistration, Source, SourceContext } from '../../core/component.js';
import type { EventBatch } from '../../core/event.js';
import { type TailSourceConfig, tailConfigSchema } from './config.js';
import { TailFollower } from './follower.js';

export type { TailSourceConfig } from './config.js';
export { tailConfigSchema } from './config.js';

export class TailSource implements Source {
  readonly id: string;
  private follower: TailFollower | undefined;
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private subscribed = false;

  constructor(
    private readonly config: TailSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    this.id = ctx.id;
  }

  events(): Observable<EventBatch> {
    return new Observable<EventBatch>((subscriber) => {
      if (this.subscribed) {
        subscriber.error(new Error(`tail source "${this.id}" can be subscribed once`));
        return;
      }
      if (this.stopping) {
        subscriber.complete();
        return;
      }
      this.subscribed = true;
      const follower = new TailFollower(this.ctx, this.config, (batch) => subscriber.next(batch));
      this.follower = follower;
      this.running = follower.run().then(
        () => subscriber.complete(),
        (err: unknown) => subscriber.error(err),
      );
      return () => {
        void this.stop();
      };
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.follower?.stop();
      await this.running;
    })();
    return this.stopping;
  }

  async flush(): Promise<void> {
    await this.stop();
    await this.follower?.flushCheckpoint();
  }
}

export const tailSource: ComponentRegistration<TailSourceConfig, Source, SourceContext> = {
  type: 'tail',
  configSchema: tailConfigSchema,
  create(config, ctx) {
    return new TailSource({ ...config, path: resolve(config.path) }, ctx);
  },
};

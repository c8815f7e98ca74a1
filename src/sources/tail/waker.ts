/**
 * The follower's idle wait: a poll timer that an fs.watch event or `stop()` can cut short.
 *
 * Invariants: polling alone is correct (the watcher is only a hint and may be missing, fail, or
 * miss events); a wake that arrives while nobody sleeps is remembered, so the next sleep returns
 * at once instead of missing it. `close` frees the timer and the watcher.
 */
import { type FSWatcher, watch } from 'node:fs';

export class Waker {
  private timer: NodeJS.Timeout | undefined;
  private sleeper: (() => void) | undefined;
  private woken = false;
  private closed = false;
  private watcher: FSWatcher | undefined;

  /** Watches `dir` when `useWatch`; a failure to watch is ignored (polling covers it). */
  constructor(dir: string, useWatch: boolean) {
    if (!useWatch) return;
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.wake());
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = undefined;
    }
  }

  sleep(ms: number): Promise<void> {
    if (this.woken || this.closed) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.sleeper = resolve;
      this.timer = setTimeout(() => this.wake(), ms);
    });
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const sleeper = this.sleeper;
    this.sleeper = undefined;
    if (sleeper) sleeper();
    else this.woken = true;
  }

  close(): void {
    this.closed = true;
    this.wake();
    this.stopWatching();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/**
 * Watches a config file and calls `onChange` once its content has changed and settled.
 *
 * Why the folder and not the file: editors save by writing a new file and renaming it over the
 * old one (and Kubernetes swaps a ConfigMap's `..data` symlink), which replaces the inode a file
 * watch would follow. The folder's watch sees every such event; each one (re)starts a debounce
 * timer, and when it fires the file is read and compared with the content last reported.
 * fs.watch can miss events (network or overlay filesystems, inotify limits), so a poll reads the
 * file every `pollIntervalMs` as well; a difference it finds goes through the same debounce, so a
 * half-written file is not reported before the writer is done.
 *
 * Invariants: `onChange` is called only when the content differs from the last reported (or
 * initial) content, never twice for one change, never concurrently with a read in progress. A
 * missing or unreadable file (between an editor's delete and rename) is not a change: the next
 * event or poll looks again. Timers and the watcher never keep the process alive; `close()`
 * stops everything.
 */
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from './logger.js';

export interface ConfigWatchOptions {
  /** Quiet time after the last change before it is reported. Default 300 ms. */
  readonly debounceMs?: number;
  /** How often the file is read in case a change notification was missed. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** false: poll only (for filesystems where notifications never come). Default true. */
  readonly notifications?: boolean;
  readonly logger: Logger;
}

export interface ConfigWatch {
  close(): void;
}

export function watchConfigFile(file: string, onChange: () => void, opts: ConfigWatchOptions): ConfigWatch {
  const debounceMs = opts.debounceMs ?? 300;
  const log = opts.logger;
  let last = readOrUndefined(file);
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let reading = false;
  let readAgain = false;

  /** Reads the file; reports it when it differs from what was last reported. */
  const settle = async (): Promise<void> => {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (!closed && text !== undefined && text !== last) {
        last = text;
        onChange();
      }
    } finally {
      reading = false;
      if (readAgain && !closed) {
        readAgain = false;
        schedule();
      }
    }
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      void settle();
    }, debounceMs);
    debounce.unref();
  };

  let watcher: FSWatcher | undefined;
  if (opts.notifications !== false) startWatch();

  function startWatch(): void {
    try {
      watcher = watch(dirname(file), { persistent: false }, () => schedule());
      watcher.on('error', (err) => {
        log.warn({ err, file }, 'config watch failed; falling back to polling');
        watcher?.close();
      });
    } catch (err) {
      log.warn({ err, file }, 'config watch unavailable; polling only');
    }
  }

  const poll = setInterval(() => {
    if (reading || closed) return;
    void readFile(file, 'utf8').then(
      (text) => {
        // A debounce already pending reads the file itself; restarting it would starve a slow poll.
        if (text !== last && debounce === undefined) schedule();
      },
      () => undefined,
    );
  }, opts.pollIntervalMs ?? 1000);
  poll.unref();

  return {
    close() {
      closed = true;
      clearTimeout(debounce);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

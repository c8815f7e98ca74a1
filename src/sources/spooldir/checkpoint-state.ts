/**
 * The spooldir source's durable state: the files in progress, each with its identity and the
 * offset up to which every line is settled (delivered or rejected).
 *
 * On-disk format (inside CheckpointStore's `{ version: 1, savedAt, state }` envelope, file
 * `<stateDir>/source-<id>.json`):
 *   { "files": [ { "path", "dev", "ino", "fingerprint", "fingerprintBytes", "offset" }, … ] }
 * Entries are kept in the order the files were started, which is the order a restart resumes them.
 *
 * Invariants:
 * - An entry's offset only grows and always ends a line (it comes from FileProgress).
 * - A file is dropped only after it was renamed/deleted/quarantined, so a crash in between
 *   leaves an entry whose path is gone (forgotten on start) or whose offset equals the file size
 *   (finished on start): never a lost or half-forgotten file.
 * - Saves are coalesced: offset updates (one per settled line at worst) only mark the state
 *   dirty; one write is scheduled per turn of the event loop, and the store itself coalesces
 *   while a write is in flight.
 *
 * Failure modes: a write error is reported through `onError` (logged, counted) and the next
 * change retries; an entry of the wrong shape (hand edit) is dropped with a warning.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../../core/checkpoint-store.js';
import type { FileIdentity } from './identity.js';

const entrySchema = z.object({
  path: z.string().min(1),
  dev: z.number(),
  ino: z.number(),
  fingerprint: z.string(),
  fingerprintBytes: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
});

export type SpoolFileEntry = z.output<typeof entrySchema>;

export interface SpoolCheckpointState {
  files: SpoolFileEntry[];
}

export class SpoolCheckpoint {
  private readonly entries = new Map<string, SpoolFileEntry>();
  private scheduled = false;

  constructor(
    private readonly store: CheckpointStore<SpoolCheckpointState>,
    private readonly onError: (err: unknown) => void,
    private readonly onBadEntry: (entry: unknown) => void,
  ) {}

  /** Loads the saved entries (replacing the ones in memory) and answers them in start order. */
  async load(): Promise<SpoolFileEntry[]> {
    const state = await this.store.load();
    this.entries.clear();
    const files: unknown[] = Array.isArray(state?.files) ? state.files : [];
    for (const raw of files) {
      const parsed = entrySchema.safeParse(raw);
      if (!parsed.success) {
        this.onBadEntry(raw);
        continue;
      }
      this.entries.set(parsed.data.path, parsed.data);
    }
    return [...this.entries.values()];
  }

  /** Records a file as in progress from `offset`; answers the live entry (update its offset via `advance`). */
  track(path: string, identity: FileIdentity, offset: number): SpoolFileEntry {
    const entry: SpoolFileEntry = { path, ...identity, offset };
    this.entries.delete(path);
    this.entries.set(path, entry);
    this.schedule();
    return entry;
  }

  /** Moves an entry's offset forward (cheap: called per settled line). */
  advance(entry: SpoolFileEntry, offset: number): void {
    if (offset <= entry.offset) return;
    entry.offset = offset;
    // A late ack for a file already dropped must not bring it back: only live entries are saved.
    if (this.entries.get(entry.path) === entry) this.schedule();
  }

  /** Drops a finished (or forgotten) file. */
  remove(entry: SpoolFileEntry): void {
    if (this.entries.get(entry.path) !== entry) return;
    this.entries.delete(entry.path);
    this.schedule();
  }

  /** Writes the newest state now and waits until it is on disk. */
  async flush(): Promise<void> {
    if (this.scheduled) {
      this.scheduled = false;
      await this.store.save(this.snapshot()).catch(() => undefined);
    }
    await this.store.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      if (!this.scheduled) return;
      this.scheduled = false;
      this.store.save(this.snapshot()).catch(this.onError);
    });
  }

  private snapshot(): SpoolCheckpointState {
    const files: SpoolFileEntry[] = [];
    for (const e of this.entries.values()) files.push({ ...e });
    return { files };
  }
}

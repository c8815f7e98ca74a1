/**
 * The HDFS sink's backend over WebHDFS: the roller (hdfs-sink.ts) drives it exactly as it drives
 * the local filesystem.
 *
 * Strategy: CREATE the in-use name empty (overwrite=false: an existing name is EEXIST and the
 * roller picks the next counter), APPEND one buffer per bucket per batch (the batch is
 * acknowledged once the datanode confirmed the APPEND: an HDFS append closes the file, so its
 * bytes are durable), TRUNCATE back to the acknowledged length before a retry and at recovery,
 * RENAME to the final name at roll. A file is therefore visible under its final name only once
 * complete, and a retry always writes the same file, so no data lands twice in two files.
 *
 * Idempotence across lost replies:
 * - RENAME answering false (or retried after a lost reply) counts as done when the source is
 *   gone and the destination exists; a destination that exists while the source too is EEXIST.
 * - TRUNCATE answering false (block recovery running) waits until the length reads back as the
 *   new length, up to the request timeout; an APPEND during recovery fails retriably anyway.
 * - DELETE of a missing file and MKDIRS of an existing folder succeed.
 *
 * Failure modes: errors are WebHdfsErrors (retriable or permanent, errors.ts); EEXIST/ENOENT
 * are errno-style errors where the roller decides on them.
 */
import type { HdfsBackend, OutputFile } from '../backend.js';
import type { WebHdfsClient } from './client.js';
import { WebHdfsError } from './errors.js';

class WebHdfsOutputFile implements OutputFile {
  constructor(
    readonly path: string,
    private readonly backend: WebHdfsBackend,
    private readonly client: WebHdfsClient,
  ) {}

  append(data: Buffer): Promise<void> {
    return this.client.append(this.path, data);
  }

  /** Nothing to do: a completed APPEND is durable. */
  async sync(): Promise<void> {}

  truncate(length: number): Promise<void> {
    return this.backend.truncate(this.path, length);
  }

  /** Nothing to do: WebHDFS holds no file open between requests. */
  async close(): Promise<void> {}
}

const TRUNCATE_POLL_MS = 200;

export class WebHdfsBackend implements HdfsBackend {
  readonly description: string;

  constructor(
    private readonly client: WebHdfsClient,
    private readonly pollTimeoutMs: number,
  ) {
    this.description = `webhdfs:${client.activeNamenode}`;
  }

  async mkdirs(dir: string): Promise<void> {
    if (!(await this.client.mkdirs(dir)))
      throw new WebHdfsError(`WebHDFS MKDIRS ${dir} answered false`, { status: 200, exception: 'MkdirsFailed', retriable: false });
  }

  async create(path: string): Promise<OutputFile> {
    try {
      await this.client.create(path, Buffer.alloc(0), false);
    } catch (err) {
      if (err instanceof WebHdfsError && err.exception === 'FileAlreadyExistsException')
        throw errno('EEXIST', `${path} already exists`, err);
      throw err;
    }
    return new WebHdfsOutputFile(path, this, this.client);
  }

  async size(path: string): Promise<number | undefined> {
    return (await this.client.getFileStatus(path))?.length;
  }

  async list(dir: string): Promise<string[]> {
    return ((await this.client.listStatus(dir)) ?? []).map((s) => s.pathSuffix);
  }

  async truncate(path: string, length: number): Promise<void> {
    if (await this.client.truncate(path, length)) return;
    const deadline = Date.now() + this.pollTimeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, TRUNCATE_POLL_MS));
      if ((await this.client.getFileStatus(path))?.length === length) return;
    }
    throw new WebHdfsError(`WebHDFS TRUNCATE ${path}: block recovery did not finish in time`, {
      status: 200,
      exception: 'RecoveryInProgressException',
      retriable: true,
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (await this.client.rename(from, to)) return;
    const [source, target] = await Promise.all([this.client.getFileStatus(from), this.client.getFileStatus(to)]);
    // An earlier attempt whose reply was lost already did it.
    if (source === undefined && target !== undefined) return;
    if (target !== undefined) throw errno('EEXIST', `cannot rename ${from}: ${to} exists`);
    if (source === undefined) throw errno('ENOENT', `cannot rename ${from}: it does not exist`);
    throw new WebHdfsError(`WebHDFS RENAME ${from} → ${to} answered false`, { status: 200, exception: 'RenameFailed', retriable: true });
  }

  async delete(path: string): Promise<void> {
    await this.client.delete(path, false);
  }
}

function errno(code: string, message: string, cause?: unknown): NodeJS.ErrnoException {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

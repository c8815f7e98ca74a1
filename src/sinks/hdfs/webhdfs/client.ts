/**
 * A WebHDFS REST client on Node's fetch (undici; keep-alive connections by default).
 *
 * Protocol (Hadoop WebHDFS v1): every request goes to `<namenode>/webhdfs/v1<path>?op=...` with
 * `user.name=` (simple auth) or `delegation=` (token). CREATE (PUT) and APPEND (POST) are two
 * steps: the namenode answers 307 with a datanode `Location` (or, asked with `noredirect=true`,
 * 200 `{"Location": ...}`), then the data goes to that URL (201 for CREATE, 200 for APPEND). The
 * other operations answer JSON on the namenode: `{"boolean":…}`, `{"FileStatus":…}`,
 * `{"FileStatuses":{"FileStatus":[…]}}`.
 *
 * Failover: namenode requests start at the namenode that last answered; a connection failure, no
 * reply within the request timeout, or a StandbyException moves on to the next one, each tried
 * once per request. A datanode failure is not a failover reason (the next attempt asks the
 * namenode for a datanode again). Every operation this client offers is safe to repeat on another
 * namenode: the first step of CREATE/APPEND changes nothing, and the callers make
 * RENAME/DELETE/MKDIRS/TRUNCATE idempotent.
 *
 * Failures are WebHdfsErrors (RxfErrors with `retriable`, see errors.ts), a reply body cut short
 * or stalled past the timeout included (retriable). Every reply body is read or cancelled, so no
 * keep-alive connection is left busy.
 */
import { networkError, parseRemoteException, remoteError, WebHdfsError } from './errors.js';

export interface WebHdfsClientOptions {
  /** Namenode base URLs (`http://host:port`), tried in order. */
  readonly namenodes: readonly string[];
  readonly user?: string;
  readonly delegationToken?: string;
  readonly requestTimeoutMs: number;
  /** Ask for `noredirect=true` replies (Hadoop ≥ 2.8) instead of 307 redirects. */
  readonly noredirect?: boolean;
  /** Told after each namenode exchange whether a namenode was reachable. */
  readonly onConnection?: (connected: boolean) => void;
}

export interface FileStatus {
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  readonly modificationTime: number;
}

type Params = Record<string, string | number | boolean>;

/** Percent-encodes each path segment, keeping '=' readable (`wrk_date=20160101`). */
export function encodeHdfsPath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3D/g, '='))
    .join('/');
}

export class WebHdfsClient {
  private active = 0;
  private readonly bases: readonly string[];

  constructor(private readonly opts: WebHdfsClientOptions) {
    if (opts.namenodes.length === 0) throw new Error('WebHdfsClient needs at least one namenode URL');
    this.bases = opts.namenodes.map((u) => u.replace(/\/+$/, ''));
  }

  /** The namenode that answered last (where the next request starts). */
  get activeNamenode(): string {
    return this.bases[this.active] as string;
  }

  /** CREATE: a new file holding `data`; with overwrite=false an existing file is FileAlreadyExistsException. */
  async create(path: string, data: Buffer, overwrite = false): Promise<void> {
    await this.twoStep('PUT', 'CREATE', path, { overwrite }, data, 201);
  }

  /** APPEND: `data` at the end of an existing file; resolves when the datanode confirmed it. */
  async append(path: string, data: Buffer): Promise<void> {
    await this.twoStep('POST', 'APPEND', path, {}, data, 200);
  }

  /** TRUNCATE (Hadoop ≥ 2.7): false = the last block is being recovered in the background. */
  async truncate(path: string, newLength: number): Promise<boolean> {
    return booleanOf(await this.json('POST', 'TRUNCATE', path, { newlength: newLength }));
  }

  /** RENAME: false when the source is missing or the destination exists (HDFS rename semantics). */
  async rename(path: string, destination: string): Promise<boolean> {
    return booleanOf(await this.json('PUT', 'RENAME', path, { destination }));
  }

  async mkdirs(path: string): Promise<boolean> {
    return booleanOf(await this.json('PUT', 'MKDIRS', path, {}));
  }

  /** DELETE: false when the path did not exist. */
  async delete(path: string, recursive = false): Promise<boolean> {
    return booleanOf(await this.json('DELETE', 'DELETE', path, { recursive }));
  }

  /** GETFILESTATUS, or undefined when the path does not exist. */
  async getFileStatus(path: string): Promise<FileStatus | undefined> {
    try {
      return ((await this.json('GET', 'GETFILESTATUS', path, {})) as { FileStatus: FileStatus }).FileStatus;
    } catch (err) {
      if (err instanceof WebHdfsError && err.exception === 'FileNotFoundException') return undefined;
      throw err;
    }
  }

  /** LISTSTATUS, or undefined when the path does not exist. */
  async listStatus(path: string): Promise<FileStatus[] | undefined> {
    try {
      return ((await this.json('GET', 'LISTSTATUS', path, {})) as { FileStatuses: { FileStatus: FileStatus[] } }).FileStatuses.FileStatus;
    } catch (err) {
      if (err instanceof WebHdfsError && err.exception === 'FileNotFoundException') return undefined;
      throw err;
    }
  }

  private async json(method: string, op: string, path: string, params: Params): Promise<unknown> {
    const res = await this.namenode(method, op, path, params);
    const text = await replyText(op, path, res);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new WebHdfsError(`WebHDFS ${op} ${path}: reply is not JSON: ${text.slice(0, 100)}`, {
        status: res.status,
        exception: 'BadReply',
        retriable: true,
        cause: err,
      });
    }
  }

  private async twoStep(method: 'PUT' | 'POST', op: string, path: string, params: Params, data: Buffer, expected: number): Promise<void> {
    const first = await this.namenode(method, op, path, this.opts.noredirect ? { ...params, noredirect: true } : params);
    const location = await datanodeLocation(op, path, first);
    let res: Response;
    try {
      res = await fetch(location, {
        method,
        body: data,
        headers: { 'content-type': 'application/octet-stream' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
    } catch (err) {
      // A datanode failure never fails over: the namenode is fine and picks a datanode again.
      throw new WebHdfsError(networkError(op, path, err).message, { status: 0, exception: 'DatanodeFailure', retriable: true, cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.status !== expected) throw remoteError(op, path, res.status, parseRemoteException(res.status, text));
  }

  /** One namenode request with failover; resolves with a successful (2xx/307) reply. */
  private async namenode(method: string, op: string, path: string, params: Params): Promise<Response> {
    const query = new URLSearchParams({ op });
    for (const [k, v] of Object.entries(params)) query.set(k, String(v));
    if (this.opts.delegationToken) query.set('delegation', this.opts.delegationToken);
    else if (this.opts.user) query.set('user.name', this.opts.user);
    const suffix = `/webhdfs/v1${encodeHdfsPath(path)}?${query.toString()}`;
    let last: WebHdfsError | undefined;
    for (let i = 0; i < this.bases.length; i++) {
      const index = (this.active + i) % this.bases.length;
      const url = `${this.bases[index]}${suffix}`;
      let res: Response;
      try {
        res = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(this.opts.requestTimeoutMs) });
      } catch (err) {
        last = networkError(op, path, err);
        if (last.failover) continue;
        this.opts.onConnection?.(false);
        throw last;
      }
      if (res.status >= 400) {
        const error = remoteError(op, path, res.status, parseRemoteException(res.status, await res.text().catch(() => '')));
        if (error.failover) {
          last = error;
          continue;
        }
        this.active = index;
        this.opts.onConnection?.(true);
        throw error;
      }
      this.active = index;
      this.opts.onConnection?.(true);
      return res;
    }
    this.opts.onConnection?.(false);
    throw new WebHdfsError(`WebHDFS ${op} ${path}: no active namenode among ${this.bases.join(', ')} (last: ${last?.message})`, {
      status: last?.status ?? 0,
      exception: last?.exception ?? 'NoNamenode',
      retriable: true,
      cause: last,
    });
  }
}

/** The body of a successful reply; a cut or stalled body is a retriable WebHdfsError, never a raw TypeError. */
async function replyText(op: string, path: string, res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    const cause = networkError(op, path, err);
    throw new WebHdfsError(`${cause.message} (reply cut short)`, {
      status: res.status,
      exception: cause.exception,
      retriable: true,
      cause: err,
    });
  }
}

async function datanodeLocation(op: string, path: string, res: Response): Promise<string> {
  if (res.status === 307 || res.status === 302 || res.status === 303) {
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (location) return location;
  } else if (res.status === 200) {
    // `noredirect=true`: the datanode URL comes in the body.
    const text = await replyText(op, path, res);
    try {
      const location = (JSON.parse(text) as { Location?: unknown }).Location;
      if (typeof location === 'string') return location;
    } catch {
      // Reported below.
    }
  } else {
    await res.body?.cancel();
  }
  throw new WebHdfsError(`WebHDFS ${op} ${path}: the namenode answered ${res.status} without a datanode Location`, {
    status: res.status,
    exception: 'BadReply',
    retriable: true,
  });
}

function booleanOf(reply: unknown): boolean {
  const value = (reply as { boolean?: unknown } | null)?.boolean;
  if (typeof value !== 'boolean')
    throw new WebHdfsError(`WebHDFS: expected {"boolean":…}, got ${JSON.stringify(reply)}`, {
      status: 200,
      exception: 'BadReply',
      retriable: true,
    });
  return value;
}

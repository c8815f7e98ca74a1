/**
 * A WebHDFS emulator for tests: namenode(s) and a datanode on 127.0.0.1 (port 0) speaking the
 * WebHDFS v1 REST protocol onto a temp folder (namespace.ts), with fault injection.
 *
 * Protocol as Hadoop 3 answers it: CREATE (PUT) / APPEND (POST) / OPEN (GET) on a namenode answer
 * 307 with a datanode `Location` (or 200 `{"Location":…}` with noredirect=true); the datanode
 * answers 201 with `Location: webhdfs://…` for CREATE, 200 for APPEND, the bytes for OPEN.
 * RENAME/MKDIRS/DELETE/TRUNCATE answer `{"boolean":…}`, GETFILESTATUS `{"FileStatus":…}`,
 * LISTSTATUS `{"FileStatuses":{"FileStatus":[…]}}`; errors `{"RemoteException":…}`. A standby
 * namenode answers every request 403 StandbyException.
 *
 * Faults (`fail`), matched in order per request and consumed `times` times:
 *   { op, status, exception? }  reply with that status and RemoteException;
 *   { op, reset: true }          drop the connection (datanode: after writing half the body);
 *   { op, dropResponse: true }   do the operation, then drop the connection (the reply is lost);
 *   { op, cutReply: true }       do the operation, send the status and half of its (successful)
 *                                reply body, then drop the connection (a node dying mid-reply);
 *   { op, delayMs }              wait before handling (a datanode write holds its lease meanwhile).
 * `stage` picks the namenode or datanode step (default: datanode for CREATE/APPEND/OPEN).
 * Every request is logged in `requests` (for request-count assertions).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { posix } from 'node:path';
import { EmulatedNamespace, RemoteError } from './namespace.js';

export type Stage = 'namenode' | 'datanode';

export interface FaultSpec {
  readonly op: string;
  readonly stage?: Stage;
  readonly times?: number;
  readonly status?: number;
  readonly exception?: string;
  readonly reset?: boolean;
  readonly dropResponse?: boolean;
  readonly cutReply?: boolean;
  readonly delayMs?: number;
  /** Only requests for paths matching this. */
  readonly path?: RegExp;
  /** Only this namenode (index). */
  readonly namenode?: number;
}

export interface LoggedRequest {
  readonly stage: Stage;
  readonly namenode?: number;
  readonly method: string;
  readonly op: string;
  readonly path: string;
  readonly params: Record<string, string>;
}

const TWO_STEP = new Set(['CREATE', 'APPEND', 'OPEN']);

export class WebHdfsEmulator {
  readonly namespace: EmulatedNamespace;
  readonly requests: LoggedRequest[] = [];
  private readonly faults: { spec: FaultSpec; left: number }[] = [];
  private readonly namenodes: { server: Server; state: 'active' | 'standby'; url: string }[] = [];
  private datanode!: { server: Server; url: string };
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(root: string) {
    this.namespace = new EmulatedNamespace(root);
  }

  /**
   * Starts a datanode and one namenode per state given (default: one active), on free ports or
   * on `namenodePorts` (to come back where a client was configured to look).
   */
  static async start(
    root: string,
    states: readonly ('active' | 'standby')[] = ['active'],
    namenodePorts: readonly number[] = [],
  ): Promise<WebHdfsEmulator> {
    const emulator = new WebHdfsEmulator(root);
    const dn = createServer((req, res) => void emulator.handle(req, res, 'datanode'));
    emulator.datanode = { server: dn, url: await listen(dn, 0) };
    for (const [index, state] of states.entries()) {
      const nn = createServer((req, res) => void emulator.handle(req, res, 'namenode', index));
      emulator.namenodes.push({ server: nn, state, url: await listen(nn, namenodePorts[index] ?? 0) });
    }
    return emulator;
  }

  /** `http://127.0.0.1:port` of namenode `index`. */
  url(index = 0): string {
    return (this.namenodes[index] as { url: string }).url;
  }

  get urls(): string[] {
    return this.namenodes.map((n) => n.url);
  }

  setState(index: number, state: 'active' | 'standby'): void {
    (this.namenodes[index] as { state: string }).state = state;
  }

  fail(spec: FaultSpec): void {
    this.faults.push({ spec, left: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests of one op (and stage), e.g. count('CREATE', 'datanode'). */
  count(op: string, stage?: Stage): number {
    return this.requests.filter((r) => r.op === op && (stage === undefined || r.stage === stage)).length;
  }

  /** The local file of an HDFS path. */
  local(path: string): string {
    return this.namespace.local(path);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const servers = [this.datanode.server, ...this.namenodes.map((n) => n.server)];
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  private takeFault(stage: Stage, op: string, path: string, namenode?: number): FaultSpec | undefined {
    for (const f of this.faults) {
      const s = f.spec;
      const faultStage = s.stage ?? (TWO_STEP.has(s.op) ? 'datanode' : 'namenode');
      if (f.left <= 0 || s.op !== op || faultStage !== stage) continue;
      if (s.path && !s.path.test(path)) continue;
      if (s.namenode !== undefined && s.namenode !== namenode) continue;
      f.left--;
      return s;
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, stage: Stage, namenode?: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const params = Object.fromEntries(url.searchParams);
    const op = (params.op ?? '').toUpperCase();
    const prefix = '/webhdfs/v1';
    const path = url.pathname.startsWith(prefix) ? posix.normalize(`/${decodeURIComponent(url.pathname.slice(prefix.length))}`) : '';
    this.requests.push({ stage, namenode, method: req.method ?? '', op, path, params });
    let writer: { write(data: Buffer): void; close(): void } | undefined;
    let body: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    try {
      if (stage === 'datanode' && (op === 'CREATE' || op === 'APPEND') && params.namenoderpcaddress) {
        // Opened and leased for the whole write (a delayed write keeps others out meanwhile).
        writer = this.namespace.openForWrite(path, op, params.overwrite === 'true');
        // Read at once, as a datanode does: what arrived is written even if the client gives up.
        body = readBody(req);
      }
      const fault = this.takeFault(stage, op, path, namenode);
      if (fault?.delayMs) await this.sleep(fault.delayMs);
      if (fault?.reset) {
        if (stage === 'datanode' && op === 'APPEND') {
          const data = await body;
          writer?.write(data.subarray(0, Math.floor(data.length / 2)));
        }
        req.socket.destroy();
        return;
      }
      if (fault?.status) throw new RemoteError(fault.status, fault.exception ?? 'IOException', `injected fault on ${op}`);
      if (!path) throw new RemoteError(400, 'IllegalArgumentException', `not a WebHDFS path: ${url.pathname}`);
      if (stage === 'namenode' && this.namenodes[namenode ?? 0]?.state === 'standby') {
        throw new RemoteError(
          403,
          'StandbyException',
          `Operation category ${req.method === 'GET' ? 'READ' : 'WRITE'} is not supported in state standby`,
        );
      }
      const reply =
        stage === 'namenode' ? this.namenodeOp(req.method ?? '', op, path, url) : await this.datanodeOp(op, path, params, body, writer);
      if (fault?.dropResponse) {
        req.socket.destroy();
        return;
      }
      if (fault?.cutReply) {
        const full = Buffer.from(reply.body);
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(full.length) });
        res.write(full.subarray(0, Math.floor(full.length / 2)), () => req.socket.destroy());
        return;
      }
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    } catch (err) {
      const remote = err instanceof RemoteError ? err : new RemoteError(500, 'IOException', String(err));
      await body;
      if (!req.complete && !req.destroyed) await readBody(req);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(remote.status, { 'content-type': 'application/json' });
        res.end(remote.body());
      }
    } finally {
      writer?.close();
    }
  }

  private namenodeOp(method: string, op: string, path: string, url: URL): Reply {
    const p = url.searchParams;
    const expect = (m: string) => {
      if (method !== m)
        throw new RemoteError(
          400,
          'IllegalArgumentException',
          `Invalid value for webhdfs parameter "op": ${op} is not a valid ${method} operation`,
        );
    };
    switch (op) {
      case 'CREATE':
      case 'APPEND':
      case 'OPEN': {
        expect(op === 'CREATE' ? 'PUT' : op === 'APPEND' ? 'POST' : 'GET');
        // Hadoop checks the target when redirecting an APPEND or OPEN; CREATE is checked by the datanode.
        if (op !== 'CREATE') this.namespace.status(path);
        const location = new URL(`${this.datanode.url}${url.pathname}`);
        for (const [k, v] of p) if (k !== 'noredirect') location.searchParams.set(k, v);
        location.searchParams.set('namenoderpcaddress', 'localhost:8020');
        if (p.get('noredirect') === 'true') return json(200, { Location: location.toString() });
        return { status: 307, headers: { location: location.toString(), 'content-length': '0' }, body: '' };
      }
      case 'GETFILESTATUS':
        expect('GET');
        return json(200, { FileStatus: this.namespace.status(path) });
      case 'LISTSTATUS':
        expect('GET');
        return json(200, { FileStatuses: { FileStatus: this.namespace.list(path) } });
      case 'MKDIRS':
        expect('PUT');
        return json(200, { boolean: this.namespace.mkdirs(path) });
      case 'RENAME': {
        expect('PUT');
        const destination = p.get('destination');
        if (!destination)
          throw new RemoteError(400, 'IllegalArgumentException', 'Required param destination for op: RENAME is null or empty');
        return json(200, { boolean: this.namespace.rename(path, posix.normalize(destination)) });
      }
      case 'DELETE':
        expect('DELETE');
        return json(200, { boolean: this.namespace.delete(path, p.get('recursive') === 'true') });
      case 'TRUNCATE': {
        expect('POST');
        const newLength = Number(p.get('newlength'));
        if (!Number.isInteger(newLength) || newLength < 0)
          throw new RemoteError(400, 'IllegalArgumentException', 'Invalid value for newlength');
        return json(200, { boolean: this.namespace.truncate(path, newLength) });
      }
      default:
        throw new RemoteError(400, 'IllegalArgumentException', `Invalid value for webhdfs parameter "op": No enum constant ${op}`);
    }
  }

  private async datanodeOp(
    op: string,
    path: string,
    params: Record<string, string>,
    body: Promise<Buffer>,
    writer: { write(data: Buffer): void } | undefined,
  ): Promise<Reply> {
    if (!params.namenoderpcaddress)
      throw new RemoteError(400, 'IllegalArgumentException', `Required param namenoderpcaddress for op: ${op}`);
    if (op === 'OPEN') return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: this.namespace.read(path) };
    if (op === 'CREATE') {
      writer?.write(await body);
      return { status: 201, headers: { location: `webhdfs://127.0.0.1${path}`, 'content-length': '0' }, body: '' };
    }
    if (op === 'APPEND') {
      writer?.write(await body);
      return { status: 200, headers: { 'content-length': '0' }, body: '' };
    }
    throw new RemoteError(400, 'IllegalArgumentException', `${op} is not a datanode operation`);
  }
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** The request body; what arrived before an aborted upload (partial writes are realistic). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    if (req.destroyed || req.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('close', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

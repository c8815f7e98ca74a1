import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebHdfsClient, type WebHdfsClientOptions } from '../../../src/sinks/hdfs/webhdfs/client.js';
import { WebHdfsError } from '../../../src/sinks/hdfs/webhdfs/errors.js';
import { tempDir } from '../../support/wait.js';
import { WebHdfsEmulator } from '../../support/webhdfs/emulator.js';

/** A URL nothing listens on (a port bound, then freed). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

async function failure(p: Promise<unknown>): Promise<WebHdfsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebHdfsError);
  return err as WebHdfsError;
}

describe('WebHDFS client against the emulator', () => {
  let emulator: WebHdfsEmulator;
  let cleanup: () => Promise<void>;
  let dir: string;

  const start = async (states?: ('active' | 'standby')[]) => {
    emulator = await WebHdfsEmulator.start(dir, states);
    return emulator;
  };
  const client = (extra: Partial<WebHdfsClientOptions> = {}) =>
    new WebHdfsClient({ namenodes: emulator.urls, user: 'flume', requestTimeoutMs: 10_000, ...extra });

  beforeEach(async () => {
    const t = await tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
  });
  afterEach(async () => {
    await emulator?.stop();
    await cleanup();
  });

  it('creates, appends, lists, renames, truncates and deletes with the two-step redirect', async () => {
    await start();
    const c = client();
    expect(await c.mkdirs('/a/wrk_date=20160101')).toBe(true);
    await c.create('/a/wrk_date=20160101/f.tmp', Buffer.from('one\n'));
    await c.append('/a/wrk_date=20160101/f.tmp', Buffer.from('two\n'));
    expect((await c.getFileStatus('/a/wrk_date=20160101/f.tmp'))?.length).toBe(8);
    expect((await c.listStatus('/a/wrk_date=20160101'))?.map((s) => [s.pathSuffix, s.type, s.length])).toEqual([['f.tmp', 'FILE', 8]]);
    expect(await c.truncate('/a/wrk_date=20160101/f.tmp', 4)).toBe(true);
    expect(await c.rename('/a/wrk_date=20160101/f.tmp', '/a/wrk_date=20160101/f')).toBe(true);
    expect(await c.rename('/a/wrk_date=20160101/f.tmp', '/a/wrk_date=20160101/f')).toBe(false);
    expect(await readFile(emulator.local('/a/wrk_date=20160101/f'), 'utf8')).toBe('one\n');
    expect(await c.getFileStatus('/a/missing')).toBeUndefined();
    expect(await c.listStatus('/missing')).toBeUndefined();
    expect(await c.delete('/a/wrk_date=20160101/f')).toBe(true);
    expect(await c.delete('/a/wrk_date=20160101/f')).toBe(false);

    // Each CREATE/APPEND went namenode (redirect) → datanode (data), with user.name on both.
    const steps = emulator.requests.filter((r) => r.op === 'CREATE' || r.op === 'APPEND').map((r) => `${r.op}@${r.stage}`);
    expect(steps).toEqual(['CREATE@namenode', 'CREATE@datanode', 'APPEND@namenode', 'APPEND@datanode']);
    expect(emulator.requests.every((r) => r.params['user.name'] === 'flume')).toBe(true);
    expect(emulator.requests.find((r) => r.op === 'CREATE')?.params.overwrite).toBe('false');
  });

  it('follows noredirect replies and sends a delegation token instead of user.name', async () => {
    await start();
    const c = client({ noredirect: true, user: undefined, delegationToken: 'tok123' });
    await c.create('/f', Buffer.from('x'));
    await c.append('/f', Buffer.from('y'));
    expect(await readFile(emulator.local('/f'), 'utf8')).toBe('xy');
    const nn = emulator.requests.filter((r) => r.stage === 'namenode');
    expect(nn.map((r) => r.params.noredirect)).toEqual(['true', 'true']);
    expect(emulator.requests.every((r) => r.params.delegation === 'tok123' && r.params['user.name'] === undefined)).toBe(true);
  });

  it('turns RemoteExceptions into typed errors: permanent with the remote message, or retriable', async () => {
    await start();
    const c = client();
    await c.create('/f', Buffer.alloc(0));
    const exists = await failure(c.create('/f', Buffer.alloc(0)));
    expect([exists.exception, exists.status, exists.retriable]).toEqual(['FileAlreadyExistsException', 403, false]);
    expect(exists.message).toMatch(/\/f for client .* already exists/);
    const missing = await failure(c.append('/nope', Buffer.from('x')));
    expect([missing.exception, missing.status, missing.retriable, missing.code]).toEqual([
      'FileNotFoundException',
      404,
      false,
      'RXF_SINK_PERMANENT',
    ]);
    const tooLong = await failure(c.truncate('/f', 10));
    expect([tooLong.exception, tooLong.status, tooLong.retriable]).toEqual(['IllegalArgumentException', 400, false]);

    const cases: [Parameters<WebHdfsEmulator['fail']>[0], boolean][] = [
      [{ op: 'MKDIRS', status: 503 }, true],
      [{ op: 'MKDIRS', status: 500, exception: 'NullPointerException' }, true],
      [{ op: 'MKDIRS', status: 403, exception: 'SafeModeException' }, true],
      [{ op: 'MKDIRS', status: 403, exception: 'RetriableException' }, true],
      // Hadoop answers every IOException 403; a plain one is a datanode pipeline or replication failure.
      [{ op: 'MKDIRS', status: 403, exception: 'IOException' }, true],
      [{ op: 'MKDIRS', status: 403, exception: 'EOFException' }, true],
      [{ op: 'MKDIRS', status: 403, exception: 'AccessControlException' }, false],
      [{ op: 'MKDIRS', status: 403, exception: 'DSQuotaExceededException' }, false],
      [{ op: 'MKDIRS', status: 400, exception: 'IllegalArgumentException' }, false],
    ];
    for (const [fault, retriable] of cases) {
      emulator.fail(fault);
      const err = await failure(c.mkdirs('/d'));
      expect({ exception: err.exception, retriable }).toEqual({ exception: fault.exception ?? 'IOException', retriable: err.retriable });
      expect(err.message).toContain('injected fault on MKDIRS');
      expect(err.code).toBe(retriable ? 'RXF_SINK_TRANSIENT' : 'RXF_SINK_PERMANENT');
    }
    expect(await c.mkdirs('/d')).toBe(true);
  });

  it('fails a datanode 5xx, a connection reset and a timeout retriably', async () => {
    await start();
    const c = client();
    await c.create('/f', Buffer.alloc(0));
    emulator.fail({ op: 'APPEND', status: 503, exception: 'IOException' });
    expect((await failure(c.append('/f', Buffer.from('x')))).retriable).toBe(true);
    emulator.fail({ op: 'GETFILESTATUS', reset: true });
    expect((await failure(c.getFileStatus('/f'))).retriable).toBe(true);
    emulator.fail({ op: 'GETFILESTATUS', delayMs: 3000 });
    const slow = await failure(client({ requestTimeoutMs: 300 }).getFileStatus('/f'));
    expect([slow.retriable, slow.exception]).toEqual([true, 'ETIMEDOUT']);
    expect((await c.getFileStatus('/f'))?.length).toBe(0);
  });

  it('fails over to the next namenode on StandbyException and on a refused connection', async () => {
    await start(['standby', 'active']);
    const states: boolean[] = [];
    const c = client({ onConnection: (ok) => states.push(ok) });
    await c.create('/f', Buffer.from('a'));
    expect(c.activeNamenode).toBe(emulator.url(1));
    expect(emulator.requests.filter((r) => r.namenode === 0).map((r) => r.op)).toEqual(['CREATE']);
    // The active one is remembered: the next request goes there first.
    await c.append('/f', Buffer.from('b'));
    expect(emulator.requests.filter((r) => r.namenode === 0)).toHaveLength(1);
    // The roles swap: the client follows.
    emulator.setState(0, 'active');
    emulator.setState(1, 'standby');
    await c.append('/f', Buffer.from('c'));
    expect(c.activeNamenode).toBe(emulator.url(0));
    expect(await readFile(emulator.local('/f'), 'utf8')).toBe('abc');

    const refused = new WebHdfsClient({ namenodes: [await deadUrl(), emulator.url(0)], requestTimeoutMs: 10_000 });
    expect((await refused.getFileStatus('/f'))?.length).toBe(3);
    expect(refused.activeNamenode).toBe(emulator.url(0));

    emulator.setState(0, 'standby');
    const none = await failure(c.getFileStatus('/f'));
    expect([none.retriable, none.exception]).toEqual([true, 'StandbyException']);
    expect(none.message).toMatch(/no active namenode/);
    expect(states.at(-1)).toBe(false);
    expect(states).toContain(true);
  });
  it('a namenode reply cut mid-body is a retriable WebHdfsError (JSON ops and the noredirect Location)', async () => {
    await start();
    const c = client();
    await c.create('/f', Buffer.from('abc'));
    emulator.fail({ op: 'GETFILESTATUS', cutReply: true });
    const status = await failure(c.getFileStatus('/f'));
    expect(status.retriable).toBe(true);
    emulator.fail({ op: 'LISTSTATUS', cutReply: true });
    expect((await failure(c.listStatus('/'))).retriable).toBe(true);
    emulator.fail({ op: 'APPEND', stage: 'namenode', cutReply: true });
    expect((await failure(client({ noredirect: true }).append('/f', Buffer.from('d')))).retriable).toBe(true);
    expect((await c.getFileStatus('/f'))?.length).toBe(3);
  });

  it('fails over from a namenode that does not answer within the request timeout', async () => {
    await start(['active', 'standby']);
    // The active one hangs (GC pause, dead host behind a kept-alive socket) and HA promotes the other.
    emulator.fail({ op: 'GETFILESTATUS', namenode: 0, delayMs: 5000, times: 10 });
    emulator.setState(1, 'active');
    const c = client({ requestTimeoutMs: 300 });
    await c.create('/f', Buffer.from('abc'));
    expect((await c.getFileStatus('/f'))?.length).toBe(3);
    expect(c.activeNamenode).toBe(emulator.url(1));
  });
});

/**
 * The metrics and health HTTP server (node:http, no framework), started by `rxflume run`:
 *   GET /metrics       Prometheus text exposition of the agent's registry
 *   GET /metrics.json  Flume-style JSON view (see src/metrics/flume-view.ts)
 *   GET /healthz       200 while the process serves requests (liveness)
 *   GET /readyz        200 when sources and sinks are up (see readiness.ts), else 503 with a JSON
 *                      body naming what is not ready
 * Anything else is 404; methods other than GET/HEAD are 405.
 *
 * Failure modes: a listen error (EADDRINUSE, EACCES) rejects `startHttpServer` with a message
 * naming the address; an error while rendering answers 500 and is logged, the server goes on.
 * `close()` stops accepting, ends idle keep-alive connections and resolves when closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import { flumeView } from '../metrics/flume-view.js';
import type { Metrics } from '../metrics/metrics.js';
import { formatListenAddress, type ListenAddress } from './address.js';
import type { Readiness } from './readiness.js';

export interface HttpServerOptions {
  readonly address: ListenAddress;
  readonly metrics: Metrics;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: ListenAddress;
  /** `http://host:port` of the bound address. */
  readonly url: string;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage) => Promise<{ status: number; type: string; body: string }>;

const JSON_TYPE = 'application/json; charset=utf-8';

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const { metrics, logger } = opts;
  const routes: Record<string, Route> = {
    '/metrics': async () => ({ status: 200, type: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    '/metrics.json': async () => ({ status: 200, type: JSON_TYPE, body: JSON.stringify(await flumeView(metrics)) }),
    '/healthz': async () => ({ status: 200, type: JSON_TYPE, body: '{"status":"ok"}' }),
    '/readyz': async () => {
      const r = opts.readiness();
      return { status: r.ready ? 200 : 503, type: JSON_TYPE, body: JSON.stringify(r) };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const route = routes[path];
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', `not found: ${path} (try /metrics, /metrics.json, /healthz, /readyz)\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const out = await route(req);
    send(res, out.status, out.type, req.method === 'HEAD' ? '' : out.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, url: req.url }, 'metrics endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.end();
    });
  });
  // A scraper keeps connections alive; they must not hold the process at shutdown.
  server.keepAliveTimeout = 5000;

  const wanted = opts.address;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot serve metrics on ${formatListenAddress(wanted)}: ${err.code ?? err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(wanted.port, wanted.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'metrics server error'));
  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  return {
    address,
    url: `http://${formatListenAddress(address)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

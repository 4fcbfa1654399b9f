import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson, type RouteHandler } from '../http/json-http.js';
import type { GatewayMetrics } from '../monitoring/gateway-metrics.js';

/** Where `/metrics` is served and who may read it (DTKS_METRICS_PORT, DTKS_METRICS_TOKEN). */
export interface MetricsEndpointOptions {
  /** A port of its own (0: any free one); unset: the gateway's main port. */
  port?: number;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

/** `GET /metrics`: the gateway's metrics in Prometheus' text format (CONTRACT §14). */
export function createMetricsEndpoint(metrics: GatewayMetrics, token?: string): RouteHandler {
  // Compared as digests: equal length, constant time, whatever the client sent.
  const expected = token === undefined ? null : digest(`Bearer ${token}`);
  return async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
    }
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      return sendJson(
        res,
        401,
        { error: 'send the metrics token as a bearer token' },
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    const { contentType, body } = await metrics.text();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `/metrics` alone on a port of its own (and 404 for anything else); resolves once listening. */
export async function startMetricsServer(
  handler: RouteHandler,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics') return void handler(req, res);
    req.resume();
    sendJson(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

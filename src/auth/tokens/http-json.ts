import type { ServerResponse } from 'node:http';

/**
 * A JSON response with extra headers. (The same as `sendJson` of the HTTP server, kept here so
 * the token modules do not load the GraphQL server.)
 */
export function sendJsonWith(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

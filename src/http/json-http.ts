import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler of one path of the gateway's HTTP server. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A JSON response, with extra headers if given. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** The same for a value already serialized. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * A JSON response already serialized as UTF-8 pieces, written in order: a short one as one text
 * with its head (one write, as {@link sendJsonText}), a long one with the socket corked so that the
 * head and every piece leave together (`end` uncorks it).
 */
export function sendJsonPieces(
  res: ServerResponse,
  status: number,
  pieces: readonly Buffer[],
): void {
  const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
  if (length <= SHORT_BYTES) {
    sendJsonText(res, status, Buffer.concat(pieces, length).toString('utf8'));
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': length,
  });
  res.cork();
  for (const piece of pieces) res.write(piece);
  res.end();
}

/** Up to this size a body is sent as text: Node then writes it with the head in one call. */
const SHORT_BYTES = 16 * 1024;

/** The whole body, or null when it is larger than `maxBytes` (read to the end either way). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

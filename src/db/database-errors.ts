/**
 * Is this error the database being out of reach (server down, restarting, connection cut,
 * too many connections, pool timeout) rather than a fault of the query or of the gateway?
 *
 * Such errors are answered with SERVICE_UNAVAILABLE (HTTP 503) and logged as warnings: the
 * client should retry, and nothing is wrong with the gateway. Everything else stays an internal
 * error. Checked by SQLSTATE class where PostgreSQL sent one, else by the socket error code or
 * by the messages `pg` and `pg-pool` use for a lost or refused connection.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code)) return true;
      // 08: connection exception; 57P01–57P03: admin/crash shutdown, cannot connect now;
      // 53300: too many connections.
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') {
        return true;
      }
    }
    if (LOST_CONNECTION.some((pattern) => pattern.test(e instanceof Error ? e.message : ''))) {
      return true;
    }
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const LOST_CONNECTION = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
  /^the database system is (starting up|shutting down|in recovery mode)/,
];

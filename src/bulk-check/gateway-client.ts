import { randomUUID } from 'node:crypto';
import { withRetries, parseRetryAfter, type Attempt, type RetryPolicy } from './retry.js';

/**
 * The gateway as the bulk client sees it: OAuth client credentials, then GraphQL operations with
 * the agreement's headers. Transient failures (network errors, HTTP 429, 502, 503, 504, and the
 * codes RATE_LIMITED and SERVICE_UNAVAILABLE) are retried per the policy; a 401 refreshes the
 * token once; anything else is returned to the caller (GraphQL errors) or thrown
 * ({@link RefusedError}).
 */

export interface GatewayClientOptions {
  /** Base URL, e.g. `https://gateway.example.go.id` (no trailing slash needed). */
  url: string;
  clientId: string;
  clientSecret: string;
  /** `X-Purpose` of every operation. */
  purpose: string;
  /** `X-Officer-Id`, when given. */
  officerId?: string;
  /** Per request, milliseconds. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Hears of every wait before a retry (for the log). */
  onRetry?: (what: string, waitMs: number, attempt: number, requestId: string | null) => void;
  random?: () => number;
}

/** The gateway refused, for a reason retrying will not change. `code` is its error code. */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphQLErrorBody {
  message?: unknown;
  extensions?: { code?: unknown };
}

/** A GraphQL answer that was not transient: data, errors, or both. */
export interface GraphQLAnswer {
  data: Record<string, unknown> | null;
  errors: GraphQLErrorBody[];
  requestId: string;
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['RATE_LIMITED', 'SERVICE_UNAVAILABLE']);

export class GatewayClient {
  private readonly base: string;
  private token: { value: string; refreshAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  /** Runs one GraphQL operation (retrying transient failures) and returns its answer. */
  async graphql(
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<GraphQLAnswer> {
    let refreshed = false;
    return withRetries(
      async (): Promise<Attempt<GraphQLAnswer>> => {
        for (;;) {
          const token = await this.accessToken();
          const requestId = randomUUID();
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'x-purpose': this.options.purpose,
            'x-request-id': requestId,
          };
          if (this.options.officerId) headers['x-officer-id'] = this.options.officerId;
          const sent = await this.send(
            '/graphql',
            { method: 'POST', headers, body: JSON.stringify({ query, variables }) },
            requestId,
            signal,
          );
          if ('transient' in sent) return sent;
          const outcome = classifyGraphQL(sent.response.status, sent.response.headers, sent.body);
          if (outcome.kind === 'unauthenticated') {
            // An expired or rotated token: one fresh token, then the refusal stands.
            if (refreshed) throw refused('UNAUTHENTICATED', outcome.message, requestId);
            refreshed = true;
            this.token = null;
            continue;
          }
          if (outcome.kind === 'transient') {
            return { transient: { ...outcome.failure, requestId } };
          }
          if (outcome.kind === 'unreadable') {
            throw refused(`HTTP ${sent.response.status}`, outcome.message, requestId);
          }
          return { ok: { data: outcome.data, errors: outcome.errors, requestId } };
        }
      },
      this.options.retry,
      { signal, onRetry: this.onRetry, random: this.options.random },
    );
  }

  /** A valid access token, fetched (client credentials) when none is held or it nears expiry. */
  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value;
    // Parallel requests share one token request, which is why no one request's signal aborts it.
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = null));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
    });
    const token = await withRetries(
      async (): Promise<Attempt<{ value: string; lifetimeMs: number }>> => {
        const requestId = randomUUID();
        const sent = await this.send(
          '/oauth/token',
          {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              accept: 'application/json',
              'x-request-id': requestId,
            },
            body: form.toString(),
          },
          requestId,
        );
        if ('transient' in sent) return sent;
        const { response, body } = sent;
        if (TRANSIENT_STATUS.has(response.status)) {
          return { transient: statusFailure(response, requestId) };
        }
        const b = (body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
        if (response.ok && typeof b.access_token === 'string') {
          const seconds = typeof b.expires_in === 'number' ? b.expires_in : 300;
          return { ok: { value: b.access_token, lifetimeMs: seconds * 1000 } };
        }
        const error = typeof b.error === 'string' ? safeText(b.error) : `HTTP ${response.status}`;
        const hint =
          b.error === 'invalid_client'
            ? 'check --client-id and the client secret'
            : typeof b.error === 'string'
              ? 'see docs/bulk-check.md'
              : 'is --url the gateway?';
        throw refused(
          'TOKEN_REFUSED',
          `the gateway refused a token for client ${this.options.clientId} (${error}); ${hint}`,
          requestId,
        );
      },
      this.options.retry,
      { onRetry: this.onRetry, random: this.options.random },
    );
    // Renew ahead of expiry: a tenth of the lifetime, at most a minute, early.
    const margin = Math.min(60_000, token.lifetimeMs / 10);
    this.token = { value: token.value, refreshAt: Date.now() + token.lifetimeMs - margin };
    return token.value;
  }

  /** One HTTP request: the response and its JSON body (null when not JSON), or a transient failure. */
  private async send(
    path: string,
    init: { method: string; headers: Record<string, string>; body: string },
    requestId: string,
    signal?: AbortSignal,
  ): Promise<{ response: Response; body: unknown } | { transient: TransientInfo }> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await fetch(`${this.base}${path}`, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = null; // a proxy's HTML error page, say
      }
      return { response, body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const what = timeout.aborted
        ? `no answer within ${Math.round(this.options.timeoutMs / 1000)} s`
        : `network error (${networkCode(error)})`;
      return { transient: { what, retryAfterSeconds: null, requestId } };
    }
  }

  private readonly onRetry = (failure: TransientInfo, waitMs: number, attempt: number): void =>
    this.options.onRetry?.(failure.what, waitMs, attempt, failure.requestId);
}

interface TransientInfo {
  what: string;
  retryAfterSeconds: number | null;
  requestId: string | null;
}

type Classified =
  | { kind: 'answer'; data: Record<string, unknown> | null; errors: GraphQLErrorBody[] }
  | { kind: 'transient'; failure: Omit<TransientInfo, 'requestId'> }
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'unreadable'; message: string };

/** Sorts one `/graphql` response into what the client does next. */
export function classifyGraphQL(status: number, headers: Headers, body: unknown): Classified {
  const shaped =
    body !== null && typeof body === 'object' && ('data' in body || 'errors' in body)
      ? (body as { data?: unknown; errors?: unknown })
      : null;
  const errors = Array.isArray(shaped?.errors) ? (shaped.errors as GraphQLErrorBody[]) : [];
  const codes = errors.map(errorCode);
  if (status === 401 || codes.includes('UNAUTHENTICATED')) {
    return { kind: 'unauthenticated', message: messageOf(errors) ?? 'the token was refused' };
  }
  const transientCode = codes.find((c) => TRANSIENT_CODES.has(c));
  if (TRANSIENT_STATUS.has(status) || transientCode !== undefined) {
    return {
      kind: 'transient',
      failure: {
        what: transientCode ?? `HTTP ${status}`,
        retryAfterSeconds: parseRetryAfter(headers.get('retry-after')),
      },
    };
  }
  if (shaped === null) {
    return {
      kind: 'unreadable',
      message: `the gateway answered HTTP ${status} without a GraphQL body`,
    };
  }
  const data =
    shaped.data !== null && typeof shaped.data === 'object'
      ? (shaped.data as Record<string, unknown>)
      : null;
  return { kind: 'answer', data, errors };
}

/** The `extensions.code` of a GraphQL error ('UNKNOWN' when it has none). */
export function errorCode(error: GraphQLErrorBody): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? safeText(code) : 'UNKNOWN';
}

/** The first error's message, made safe for a one-line message. */
export function messageOf(errors: GraphQLErrorBody[]): string | null {
  const message = errors[0]?.message;
  return typeof message === 'string' ? safeText(message) : null;
}

/**
 * Text from the server, fit for one line on stderr: no line breaks, bounded, and any run of 16 or
 * more digits (which could be a NIK, should a proxy echo one) blanked.
 */
export function safeText(text: string): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(/\d{16,}/g, '[digits]')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function refused(code: string, message: string, requestId: string): RefusedError {
  return new RefusedError(code, `${message} (request id ${requestId})`);
}

function statusFailure(response: Response, requestId: string): TransientInfo {
  return {
    what: `HTTP ${response.status}`,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
    requestId,
  };
}

/** ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET … from fetch's error cause. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { name?: string })?.name;
  return safeText(code ?? 'unknown');
}

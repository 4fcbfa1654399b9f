/**
 * POSTs to partners' receivers (change-feed webhooks, DCI callbacks): a timeout, no redirects
 * followed, the answer's body drained and never read into an error (it may hold anything).
 */

export interface PostOutcome {
  ok: boolean;
  status: number | null;
  /** Why it failed, in our words (never the receiver's answer). */
  error: string | null;
}

export async function postToReceiver(
  url: string,
  body: Buffer | string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ok: false,
      status: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : 'could not connect',
    };
  }
}

/**
 * The wait before the next attempt: exponential backoff from `firstMs`, at most `maxMs`, with
 * equal jitter (half the step fixed, half random) so that retries of many receivers spread out.
 */
export function retryWaitMs(attempts: number, firstMs: number, maxMs: number): number {
  const step = Math.min(maxMs, firstMs * 2 ** (attempts - 1));
  return Math.round(step / 2 + (step / 2) * Math.random());
}

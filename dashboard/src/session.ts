/**
 * The signed-in session, in memory only: never in localStorage or a cookie, so closing the tab
 * ends it and no script of another page can read the token. The token comes from the gateway's
 * OAuth client-credentials endpoint with the dashboard application's client id and secret.
 */
export interface Session {
  clientId: string;
  token: string;
  /** Epoch ms after which the token is no longer sent (a little before it expires). */
  expiresAt: number;
  officerId: string | null;
  /** The purpose the dashboard declares (the first of its agreement's purposes). */
  purpose: string | null;
}

let session: Session | null = null;

export function currentSession(): Session | null {
  if (session && Date.now() >= session.expiresAt) session = null;
  return session;
}

export function setPurpose(purpose: string | null): void {
  if (session) session.purpose = purpose;
}

export function signOut(): void {
  session = null;
}

/** Why signing in failed, for the message the page shows. */
export type SignInFailure = 'WRONG_SECRET' | 'UNREACHABLE' | 'UNAVAILABLE';

export class SignInError extends Error {
  constructor(readonly reason: SignInFailure) {
    super(reason);
  }
}

/** Exchanges the client id and secret for a token (POST /oauth/token). */
export async function signIn(
  clientId: string,
  secret: string,
  officerId: string | null,
): Promise<Session> {
  let response: Response;
  try {
    response = await fetch('/oauth/token', {
      method: 'POST',
      // No cookies, and no browser password prompt: the endpoint's 401 carries a Basic challenge
      // (RFC 6749 §5.2), which a browser answers with a dialog unless credentials are omitted.
      credentials: 'omit',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      }),
    });
  } catch {
    throw new SignInError('UNREACHABLE');
  }
  if (response.status === 400 || response.status === 401) throw new SignInError('WRONG_SECRET');
  if (!response.ok) throw new SignInError('UNAVAILABLE');
  const body = (await response.json()) as { access_token: string; expires_in: number };
  session = {
    clientId,
    token: body.access_token,
    // Ask again 30 s before the token expires rather than send one that is about to.
    expiresAt: Date.now() + Math.max(0, body.expires_in - 30) * 1000,
    officerId,
    purpose: null,
  };
  return session;
}

import { currentSession, signOut } from './session';

/**
 * A trusted document as GraphQL Code Generator's client preset emits it for this page: the typed
 * result and variables, and the hash under which the gateway has it published. The page sends
 * the hash, never query text (the dashboard's agreement allows trusted documents only).
 */
export interface TrustedDocument<TResult, TVariables> {
  __apiType?: (variables: TVariables) => TResult;
  __meta__?: { hash?: string };
}

/** A refusal or failure with the gateway's error code (`extensions.code`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when the session has ended (no token, expired, or refused with 401). */
export class SessionEndedError extends ApiError {
  constructor() {
    super('UNAUTHENTICATED', 'the session has ended');
  }
}

/** Runs a published document with its variables and returns its data. */
export async function run<TResult, TVariables>(
  document: TrustedDocument<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const session = currentSession();
  if (!session) throw new SessionEndedError();
  const hash = document.__meta__?.hash;
  if (!hash) throw new ApiError('INTERNAL', 'this document has no published hash');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${session.token}`,
  };
  if (session.purpose) headers['x-purpose'] = session.purpose;
  if (session.officerId) headers['x-officer-id'] = session.officerId;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'omit',
      headers,
      body: JSON.stringify({
        documentId: hash.startsWith('sha256:') ? hash : `sha256:${hash}`,
        variables,
      }),
    });
  } catch {
    throw new ApiError('UNREACHABLE', 'the gateway cannot be reached');
  }
  if (response.status === 401) {
    signOut();
    throw new SessionEndedError();
  }
  const body = (await response.json()) as {
    data?: TResult | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  const error = body.errors?.[0];
  if (error || body.data === undefined || body.data === null) {
    throw new ApiError(error?.extensions?.code ?? `HTTP_${response.status}`, error?.message ?? '');
  }
  return body.data;
}

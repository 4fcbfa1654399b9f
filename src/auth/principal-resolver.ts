import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { NotificationListener } from '../db/notification-listener.js';
import { findClientPolicy, type ClientPolicy } from '../db/queries/client-queries.js';
import { agreementExpired, unauthenticated } from '../errors/gateway-errors.js';
import type { Principal } from './principal.js';

/** Verifies a bearer token and names the client it was issued to. */
export interface BearerVerifier {
  verify(token: string): Promise<{ clientId: string; expiresAt: Date; issuedAt: Date | null }>;
}

/** How long a cached policy may be used even while change notifications arrive. */
const CACHE_MS = 60_000;
/** How long a verified token is remembered (never beyond its own expiry). */
const TOKEN_CACHE_MS = 60_000;
const TOKEN_CACHE_SIZE = 10_000;

/**
 * Builds the request's principal: bearer token → client id → the client's agreement.
 *
 * A client that does not exist or is revoked gets 401 whatever its token says, so revocation
 * works at once also for tokens already issued. Policies are cached per client only while the
 * policy listener is connected; every change notification clears the cache.
 */
export class PrincipalResolver {
  private readonly cache = new Map<string, { policy: ClientPolicy | null; until: number }>();
  /**
   * Tokens whose signature and claims were verified, by their exact text: verifying an Ed25519
   * signature costs more than the rest of a lookup. Only validity is cached; whether the client
   * is still active is checked on every request (below), so revocation is unaffected.
   */
  private readonly verified = new Map<
    string,
    { clientId: string; issuedAt: number; until: number }
  >();
  /** Bumped by every invalidation: a lookup that overlapped one must not be cached. */
  private generation = 0;
  /**
   * Lookups under way, per client: requests that arrive together share one (a gateway starting
   * under load would otherwise send a lookup per waiting request). A request never joins a lookup
   * that began before an invalidation it comes after.
   */
  private readonly loading = new Map<
    string,
    { generation: number; policy: Promise<ClientPolicy | null> }
  >();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly verifier: BearerVerifier,
    private readonly listener: NotificationListener | null,
  ) {}

  /** Clears the cache (for one client, or all on `null`). Wired to the policy listener. */
  invalidate(clientId: string | null): void {
    this.generation++;
    if (clientId === null) this.cache.clear();
    else this.cache.delete(clientId);
  }

  async resolve(
    authorization: string | undefined,
    headers: { officerId: string | null; purpose: string | null },
    now: Date = new Date(),
  ): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('send `Authorization: Bearer <token>`');
    const { clientId, issuedAt } = await this.verify(match[1]!);
    const policy = await this.policyOf(clientId);
    if (!policy || policy.revokedAt !== null)
      throw unauthenticated('this client is unknown or revoked');
    // `iat` has whole seconds: a token from the second of the change still counts as after it.
    if (issuedAt < Math.floor(policy.credentialsChangedAt.getTime() / 1000) * 1000) {
      throw unauthenticated('this token was issued before the client’s credentials changed');
    }
    const a = policy.agreement;
    if (
      a.revokedAt !== null ||
      a.validFrom > now ||
      (a.validUntil !== null && a.validUntil <= now)
    ) {
      throw agreementExpired();
    }
    return {
      clientId: policy.clientId,
      agencyId: policy.agency.id,
      agencyName: policy.agency.name,
      kind: policy.agency.kind,
      agreement: a,
      officerId: headers.officerId,
      purpose: headers.purpose,
      dci: policy.dci,
    };
  }

  private async verify(token: string): Promise<{ clientId: string; issuedAt: number }> {
    const now = Date.now();
    const cached = this.verified.get(token);
    if (cached && cached.until > now) return cached;
    const { clientId, expiresAt, issuedAt } = await this.verifier.verify(token);
    if (this.verified.size >= TOKEN_CACHE_SIZE) this.verified.clear();
    const entry = {
      clientId,
      issuedAt: issuedAt?.getTime() ?? 0,
      until: Math.min(expiresAt.getTime(), now + TOKEN_CACHE_MS),
    };
    this.verified.set(token, entry);
    return entry;
  }

  private async policyOf(clientId: string): Promise<ClientPolicy | null> {
    const cached = this.cache.get(clientId);
    if (cached && cached.until > Date.now()) return cached.policy;
    const generation = this.generation;
    const under = this.loading.get(clientId);
    if (under && under.generation === generation) return under.policy;
    const load = {
      generation,
      policy: findClientPolicy(this.db, clientId).then((policy) => {
        if (this.listener?.connected && generation === this.generation)
          this.cache.set(clientId, { policy, until: Date.now() + CACHE_MS });
        return policy;
      }),
    };
    this.loading.set(clientId, load);
    const forget = () => {
      if (this.loading.get(clientId) === load) this.loading.delete(clientId);
    };
    load.policy.then(forget, forget);
    return load.policy;
  }
}

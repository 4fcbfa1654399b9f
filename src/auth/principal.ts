import type { Agreement, ClientKind, Scope } from './agreement.js';

/** A client's DCI sender key and its agreement's callback address (migration 0021). */
export interface DciClientSettings {
  /** The sender's Ed25519 public key (raw); null: it may send unsigned messages. */
  publicKey: Buffer | null;
  /** Where its callbacks may go; null: no asynchronous requests. */
  callbackUrl: string | null;
}

/**
 * Who is asking, built once per request from the verified token and the client's agreement.
 * Everything downstream — the gate, the scoped data layer, audit — reads this and nothing else.
 */
export interface Principal {
  clientId: string;
  agencyId: string;
  agencyName: string;
  kind: ClientKind;
  agreement: Agreement;
  /** The end user at the agency (`X-Officer-Id`), recorded in the audit log. */
  officerId: string | null;
  /** The declared purpose (`X-Purpose`), already checked against the agreement when present. */
  purpose: string | null;
  /**
   * The DCI door's settings (docs/dci.md): the client's Ed25519 sender key (its messages must be
   * signed) and its agreement's callback address. Absent: neither.
   */
  dci?: DciClientSettings;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.agreement.scopes.includes(scope);
}

import { createHash } from 'node:crypto';

/**
 * The fingerprint of a submission's input, to tell a retry (same key, same input: answer the
 * first submission) from a conflicting reuse of the key (IDEMPOTENCY_CONFLICT). Computed on the
 * input as sent, before any validation against the registry, so a retry still matches after the
 * registry moved on (for example once a later snapshot contains the added member).
 *
 * Canonical form: JSON with object keys sorted and absent or null fields dropped (GraphQL makes
 * no difference between them), arrays in their order; the kind is part of it.
 */
export function inputFingerprint(kind: 'SUBMISSION' | 'PROPOSAL', input: object): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, canonical(input)]))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]);
    return Object.fromEntries(entries);
  }
  return value;
}

import type { Agreement } from '../auth/agreement.js';
import type { Principal } from '../auth/principal.js';
import type { DemoClient } from './demo-agreements.js';

/** A demo client of CONTRACT §7 as the principal its samples are read for. */
export function demoPrincipal(demo: DemoClient): Principal {
  const agreement: Agreement = {
    id: `${demo.clientId}-pks`,
    agencyId: demo.agency.id,
    title: demo.title,
    scopes: demo.scopes,
    programs: demo.programs,
    purposes: demo.purposes,
    regionScope: demo.regionScope,
    fieldPolicy: demo.fieldPolicy,
    detailedReasons: demo.detailedReasons,
    batchLimit: 10_000,
    dailyQuota: 1_000_000,
    rateLimitPerMinute: 6_000,
    privacyBudget: demo.privacyBudget,
    validFrom: new Date(0),
    validUntil: null,
    revokedAt: null,
  };
  return {
    clientId: demo.clientId,
    agencyId: demo.agency.id,
    agencyName: demo.agency.name,
    kind: demo.agency.kind,
    agreement,
    officerId: null,
    purpose: null,
  };
}

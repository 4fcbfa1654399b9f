import type { Principal } from '../auth/principal.js';
import type { DemoClient } from './demo-agreements.js';
import { registration } from './demo-clients.js';

/** A demo client of CONTRACT §7 as the principal its samples are read for. */
export function demoPrincipal(demo: DemoClient): Principal {
  const { agreement } = registration(demo, '');
  return {
    clientId: demo.clientId,
    agencyId: demo.agency.id,
    agencyName: demo.agency.name,
    kind: demo.agency.kind,
    agreement: {
      ...agreement,
      id: `${demo.clientId}-pks`,
      agencyId: demo.agency.id,
      validFrom: new Date(0),
      revokedAt: null,
    },
    officerId: null,
    purpose: null,
  };
}

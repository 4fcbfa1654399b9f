import type { Agreement } from '../../src/auth/agreement.js';
import type { Principal } from '../../src/auth/principal.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { demoPrincipal } from '../../src/demo/demo-principal.js';

/**
 * A whole principal for tests that call the data layer directly: the demo ministry kemenkes-pbi
 * asking for its purpose, with the agreement's parts a test varies (region scope, id, quota).
 */
export function ministryPrincipal(
  agreement: Partial<Agreement> = {},
  clientId = 'kemenkes-pbi',
): Principal {
  const base = demoPrincipal(DEMO_CLIENTS.find((c) => c.clientId === 'kemenkes-pbi')!);
  return {
    ...base,
    clientId,
    purpose: 'PBI_JK_VERIFICATION',
    agreement: { ...base.agreement, ...agreement },
  };
}

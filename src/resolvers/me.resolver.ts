import { Ctx, Query, Resolver } from 'type-graphql';
import { legalBasisOf } from '../auth/agreement.js';
import { Me } from '../schema/me.type.js';
import type { RequestContext } from './request-context.js';

@Resolver(() => Me)
export class MeResolver {
  @Query(() => Me, {
    description: 'Your client, agency, agreement and what it allows. Needs no X-Purpose.',
  })
  async me(@Ctx() { principal: p, statistics }: RequestContext): Promise<Me> {
    const a = p.agreement;
    return {
      clientId: p.clientId,
      agencyId: p.agencyId,
      agencyName: p.agencyName,
      kind: p.kind,
      agreementId: a.id,
      agreementTitle: a.title,
      scopes: [...a.scopes],
      programs: [...a.programs],
      purposes: [...a.purposes],
      legalBases: a.purposes.map((purpose) => ({ purpose, basis: legalBasisOf(a, purpose) })),
      regionScope: [...a.regionScope],
      validFrom: a.validFrom,
      validUntil: a.validUntil,
      privacyBudgetRemaining: await statistics.budgetRemaining(),
    };
  }
}

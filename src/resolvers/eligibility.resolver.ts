import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Decision } from '../eligibility/eligibility-service.js';
import { EligibilityDecision, Program, ProgramInfo } from '../schema/eligibility.types.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import { rulesRelativeToServed } from '../db/queries/eligibility-rule-queries.js';
import type { RequestContext } from './request-context.js';

/** Eligibility for partner ministries. Thin: policy in src/auth, SQL in the scoped layer. */
@Resolver()
export class EligibilityResolver {
  @Query(() => EligibilityDecision, {
    description:
      'Is this NIK eligible for this program? A decision, never a record. Programs of your agreement only.',
  })
  eligibility(
    @Arg('nik', () => NikScalar) nik: string,
    @Arg('program', () => Program) program: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Decision> {
    return ctx.eligibility.decide(nik, program);
  }

  @Query(() => [EligibilityDecision], {
    description:
      'One decision per NIK, in input order (duplicates included). Up to 10,000 NIKs per operation unless your agreement sets less, counted across all fields and aliases.',
  })
  eligibilityBatch(
    @Arg('niks', () => [NikScalar]) niks: string[],
    @Arg('program', () => Program) program: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Decision[]> {
    return ctx.eligibility.decideBatch(niks, program);
  }

  @Query(() => [ProgramInfo], {
    description:
      'Every program with the plain-language rule and version decisions apply now, and the versions scheduled for later snapshots.',
  })
  async programs(@Ctx() ctx: RequestContext): Promise<ProgramInfo[]> {
    // Read afresh (one small statement): a version published a moment ago is listed at once.
    const versions = await rulesRelativeToServed(ctx.readDb);
    return versions
      .filter((r) => !r.scheduled)
      .map((r) => ({
        code: r.program,
        name: r.name,
        unit: r.unit,
        ruleVersion: r.version,
        rule: r.description,
        effectiveFrom: r.effectiveFrom,
        effectiveOn: r.effectiveOn,
        scheduled: versions
          .filter((s) => s.scheduled && s.program === r.program)
          .map((s) => ({
            ruleVersion: s.version,
            rule: s.description,
            effectiveOn: s.effectiveOn!,
          })),
      }));
  }
}

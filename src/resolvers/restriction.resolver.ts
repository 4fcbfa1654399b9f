import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ProcessingRestriction, RestrictProcessingInput } from '../schema/restriction.types.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import { SubjectReport } from '../schema/subject-report.types.js';
import type { RestrictionView } from '../subjects/restriction-service.js';
import type { SubjectReport as Report } from '../subjects/subject-report-service.js';
import type { RequestContext } from './request-context.js';

/** Restrictions of processing (CONTRACT §13). Thin: see src/subjects/restriction-service.ts. */
@Resolver()
export class RestrictionResolver {
  @Mutation(() => ProcessingRestriction, {
    description:
      'Restricts the processing of a NIK for purposes and/or agencies (none named: all). For a ' +
      'data subjects’ service that verified the person’s identity, on their request, or for the ' +
      'administrator. Takes effect at once for records and eligibility decisions, and for ' +
      'statistics from the next snapshot import. Audited with the NIK as subject.',
  })
  restrictProcessing(
    @Arg('input', () => RestrictProcessingInput) input: RestrictProcessingInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RestrictionView> {
    return ctx.restrictions.restrict(input);
  }

  @Mutation(() => ProcessingRestriction, {
    description:
      'Lifts restriction `id` of `nik`, keeping who lifted it, when and why. A data subjects’ ' +
      'service lifts what a person asked for; only the administrator lifts its own.',
  })
  liftProcessingRestriction(
    @Arg('nik', () => NikScalar) nik: string,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why (1–1000 characters).' }) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<RestrictionView> {
    return ctx.restrictions.lift(nik, id, reason);
  }

  @Query(() => [ProcessingRestriction], {
    description: 'Every restriction of a NIK, active and lifted, newest first.',
  })
  processingRestrictions(
    @Arg('nik', () => NikScalar) nik: string,
    @Ctx() ctx: RequestContext,
  ): Promise<RestrictionView[]> {
    return ctx.restrictions.list(nik);
  }
}

/** A person's report lists their restrictions. */
@Resolver(() => SubjectReport)
export class SubjectRestrictionsResolver {
  @FieldResolver(() => [ProcessingRestriction], {
    description:
      'The person’s restrictions of processing, active and lifted, newest first, each with the ' +
      'purposes it does not stop.',
  })
  restrictions(@Root() report: Report, @Ctx() ctx: RequestContext): Promise<RestrictionView[]> {
    return ctx.restrictions.list(report.nik);
  }
}

import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { VerificationEventRecord } from '../db/scoped/verification-store.js';
import type { HouseholdRecord } from '../db/scoped/scoped-registry.js';
import { badUserInput } from '../errors/gateway-errors.js';
import { Household } from '../schema/records/record.types.js';
import { DateScalar } from '../schema/scalars/date.scalar.js';
import {
  HouseholdProposalInput,
  MemberChange,
  ReviewDecision,
  VerificationChanges,
  VerificationEvent,
  VerificationInput,
  VerificationSubmission,
  VerificationSubmissionConnection,
  VerificationSubmissionFilter,
} from '../schema/verification.types.js';
import type { RequestContext } from './request-context.js';
import {
  changesView,
  governedValue,
  submissionView,
  type ChangesView,
  type SubmissionView,
} from '../verification/submission-view.js';
import type { MemberChange as MemberChangeRecord } from '../domain/verification-input.js';

const MAX_PAGE = 500;

/** Verification and validation (CONTRACT §9). Thin: rules live in src/verification and the gate. */
@Resolver()
export class VerificationResolver {
  @Mutation(() => VerificationSubmission, {
    description:
      'Sends what an officer found at a household of your region (needs X-Officer-Id). Stored ' +
      'as SUBMITTED for review; the served snapshot does not change. A household outside your ' +
      'region gets exactly the error of an id that does not exist. Retrying with the same ' +
      'idempotencyKey and input returns the first submission.',
  })
  async submitVerification(
    @Arg('input', () => VerificationInput, { description: 'What the officer found.' })
    input: VerificationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SubmissionView> {
    return submissionView(await ctx.verification.submit(input));
  }

  @Mutation(() => VerificationSubmission, {
    description:
      'Proposes a household not yet in the registry (usulan baru), with its members; reviewed ' +
      'like a submission (needs X-Officer-Id).',
  })
  async proposeHousehold(
    @Arg('input', () => HouseholdProposalInput, { description: 'The proposed household.' })
    input: HouseholdProposalInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SubmissionView> {
    return submissionView(await ctx.verification.propose(input));
  }

  @Mutation(() => VerificationSubmission, {
    description:
      'Approves or rejects a SUBMITTED submission or proposal of your region (needs X-Officer-Id). ' +
      'Two-person rule: never one sent by your own client or agency. A note is required to reject.',
  })
  async reviewVerification(
    @Arg('id', () => ID, { description: 'The submission id.' }) id: string,
    @Arg('decision', () => ReviewDecision, { description: 'APPROVED or REJECTED.' })
    decision: 'APPROVED' | 'REJECTED',
    @Ctx() ctx: RequestContext,
    @Arg('note', () => String, {
      nullable: true,
      description: 'Why (required when rejecting), up to 2000 characters.',
    })
    note?: string | null,
  ): Promise<SubmissionView> {
    return submissionView(await ctx.verification.review(id, decision, note));
  }

  @Query(() => VerificationSubmissionConnection, {
    description:
      'Submissions and proposals of your region scope (the administrator: all), oldest first; first ≤ 500.',
  })
  async verificationSubmissions(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => VerificationSubmissionFilter, {
      nullable: true,
      description: 'Conditions that must all hold.',
    })
    filter?: VerificationSubmissionFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1–500.' }) first = 50,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page.',
    })
    after?: string | null,
  ): Promise<VerificationSubmissionConnection> {
    if (first < 1 || first > MAX_PAGE)
      throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
    const f = filter ?? {};
    const filterKey = JSON.stringify([
      'verificationSubmissions',
      f.status ?? null,
      f.kind ?? null,
      f.regionCode ?? null,
      f.householdId ?? null,
    ]);
    const clientId = ctx.principal.clientId;
    const afterId = after ? Number(ctx.cursors.decode(clientId, filterKey, after)) : null;
    const page = await ctx.verification.list(f, first, afterId);
    const edges = page.rows.map((r) => ({
      node: submissionView(r) as unknown as VerificationSubmission,
      cursor: ctx.cursors.encode(clientId, filterKey, String(r.id)),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

@Resolver(() => VerificationSubmission)
export class VerificationSubmissionFieldsResolver {
  @FieldResolver(() => Household, { nullable: true })
  household(
    @Root() submission: SubmissionView,
    @Ctx() ctx: RequestContext,
  ): Promise<HouseholdRecord | null> | null {
    return submission.householdId ? ctx.registry.householdById(submission.householdId) : null;
  }

  @FieldResolver(() => VerificationChanges, { nullable: true })
  changes(@Root() submission: SubmissionView, @Ctx() ctx: RequestContext): ChangesView {
    ctx.verification.noteChangeSubjects(submission._record);
    return changesView(submission._record);
  }
}

/** Personal values of the changes follow the agreement's rules for the matching record fields. */
@Resolver(() => VerificationChanges)
export class VerificationChangesResolver {
  @FieldResolver(() => String, { nullable: true })
  kkNumber(
    @Root() changes: ChangesView,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Household', 'kkNumber', changes._kkNumber);
  }

  @FieldResolver(() => String, { nullable: true })
  address(
    @Root() changes: ChangesView,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Household', 'address', changes.address);
  }
}

@Resolver(() => MemberChange)
export class MemberChangeResolver {
  @FieldResolver(() => String, { nullable: true })
  nik(
    @Root() m: MemberChangeRecord,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Person', 'nik', m.nik);
  }

  @FieldResolver(() => String, { nullable: true })
  name(
    @Root() m: MemberChangeRecord,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Person', 'name', m.name);
  }

  @FieldResolver(() => String, { nullable: true })
  sex(
    @Root() m: MemberChangeRecord,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Person', 'sex', m.sex);
  }

  @FieldResolver(() => DateScalar, { nullable: true })
  birthDate(
    @Root() m: MemberChangeRecord,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Person', 'birthDate', m.birthDate);
  }

  @FieldResolver(() => String, { nullable: true })
  relationship(
    @Root() m: MemberChangeRecord,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return governed(ctx, info, 'Person', 'relationship', m.relationship);
  }
}

/** `Household.history`: the household's verification events, one statement per request level. */
@Resolver(() => Household)
export class HouseholdHistoryResolver {
  @FieldResolver(() => [VerificationEvent], {
    description:
      'Verification events of this household, oldest first: submissions, reviews, and their application by a snapshot.',
  })
  history(
    @Root() household: HouseholdRecord,
    @Ctx() ctx: RequestContext,
  ): Promise<VerificationEventRecord[]> {
    return ctx.verification.history(household._key);
  }
}

function governed(
  ctx: RequestContext,
  info: GraphQLResolveInfo,
  type: 'Household' | 'Person',
  field: string,
  value: string | null | undefined,
): string | null {
  return governedValue(
    ctx.disclosure,
    ctx.registry.fieldRule(type, field),
    {
      type: info.parentType.name,
      name: info.fieldName,
      path: responsePathAsArray(info.path).join('.'),
    },
    value,
  );
}

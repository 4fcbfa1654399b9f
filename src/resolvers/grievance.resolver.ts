import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { HouseholdRecord } from '../db/scoped/scoped-registry.js';
import type { GrievanceRecord } from '../db/scoped/grievance-store.js';
import { badUserInput } from '../errors/gateway-errors.js';
import {
  Grievance,
  GrievanceConnection,
  GrievanceFilterInput,
  OpenGrievanceInput,
} from '../schema/grievance.types.js';
import { Household } from '../schema/records/record.types.js';
import type { RequestContext } from './request-context.js';

const MAX_PAGE = 100;
/** The cursor's filter key. */
const LIST = 'grievances';

/** Grievances (sanggah, CONTRACT §13). Thin: see src/subjects/grievance-service.ts. */
@Resolver(() => Grievance)
export class GrievanceResolver {
  @Mutation(() => Grievance, {
    description:
      'Contests a decision about a person (sanggah). For a data subjects’ service that verified ' +
      'the person, or a ministry. Goes to the local government of the person’s household’s region ' +
      '(of the stated region when they are not in the registry), due in 30 days.',
  })
  openGrievance(
    @Arg('input', () => OpenGrievanceInput) input: OpenGrievanceInput,
    @Ctx() ctx: RequestContext,
  ): Promise<GrievanceRecord> {
    return ctx.grievances.open(input);
  }

  @Query(() => GrievanceConnection, {
    description:
      'Grievances, oldest first; first ≤ 100. A local government: those routed to its region (and, ' +
      'for a province, those escalated to it). An opener: those its agency opened.',
  })
  async grievances(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => GrievanceFilterInput, { nullable: true })
    filter?: GrievanceFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1–100.' }) first = 50,
    @Arg('after', () => String, { nullable: true, description: 'The previous page’s endCursor.' })
    after?: string | null,
  ): Promise<GrievanceConnection> {
    if (first < 1 || first > MAX_PAGE)
      throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
    const clientId = ctx.principal.clientId;
    const afterKey = after ? ctx.cursors.decode(clientId, LIST, after) : null;
    if (afterKey !== null && !/^\d{1,19}$/.test(afterKey))
      throw badUserInput('after is not a cursor of this list');
    const page = await ctx.grievances.page(filter ?? {}, first, afterKey);
    const edges = page.rows.map((g) => ({
      node: g as unknown as Grievance,
      cursor: ctx.cursors.encode(clientId, LIST, g._key),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => Grievance, {
    nullable: true,
    description: 'One grievance; null when it does not exist or is not yours to see.',
  })
  grievance(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<GrievanceRecord | null> {
    return ctx.grievances.byId(id);
  }

  @Mutation(() => Grievance, { description: 'Takes an OPEN grievance of your region into review.' })
  reviewGrievance(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<GrievanceRecord> {
    return ctx.grievances.review(id);
  }

  @Mutation(() => Grievance, {
    description:
      'Resolves a grievance of your region with the verification submission that answers it (of ' +
      'the household; for a person not in the registry, a proposal of a new household).',
  })
  resolveGrievance(
    @Arg('id', () => ID) id: string,
    @Arg('submissionId', () => ID) submissionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<GrievanceRecord> {
    return ctx.grievances.resolve(id, submissionId);
  }

  @Mutation(() => Grievance, { description: 'Dismisses a grievance of your region, saying why.' })
  dismissGrievance(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: '1–1000 characters; shown to the opener.' })
    reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<GrievanceRecord> {
    return ctx.grievances.dismiss(id, reason);
  }

  @FieldResolver(() => String, { nullable: true })
  openedBy(@Root() g: GrievanceRecord): string | null {
    return g.openedByAgencyName;
  }

  @FieldResolver(() => String, { nullable: true })
  regionCode(@Root() g: GrievanceRecord, @Ctx() ctx: RequestContext): string | null {
    return ctx.principal.kind === 'LOCAL_GOV' ? g.regionCode : null;
  }

  @FieldResolver(() => Household, { nullable: true })
  household(
    @Root() g: GrievanceRecord,
    @Ctx() ctx: RequestContext,
  ): Promise<HouseholdRecord | null> | null {
    if (ctx.principal.kind !== 'LOCAL_GOV' || g.householdId === null) return null;
    return ctx.registry.householdById(g.householdId);
  }
}

import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { HouseholdRecord, PersonRecord } from '../db/scoped/scoped-registry.js';
import { badUserInput } from '../errors/gateway-errors.js';
import {
  HouseholdConnection,
  HouseholdFilterInput,
} from '../schema/records/household-connection.type.js';
import { Household, Person } from '../schema/records/record.types.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import type { RequestContext } from '../server/request-context.js';

const MAX_PAGE = 500;

/** Record lookups for local governments. Thin: scope and masking happen in the scoped registry. */
@Resolver()
export class RecordsResolver {
  @Query(() => Person, {
    nullable: true,
    description:
      'A person by NIK, masked per your agreement; null outside your region scope, exactly as for a NIK that does not exist.',
  })
  person(
    @Arg('nik', () => NikScalar) nik: string,
    @Ctx() ctx: RequestContext,
  ): Promise<PersonRecord | null> {
    return ctx.registry.personByNik(nik);
  }

  @Query(() => Household, {
    nullable: true,
    description:
      'A household by id, masked per your agreement; null outside your region scope, exactly as for an id that does not exist.',
  })
  household(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<HouseholdRecord | null> {
    return ctx.registry.householdById(id);
  }

  @Query(() => HouseholdConnection, {
    description: 'Households of your region scope, a page at a time (first ≤ 500).',
  })
  async households(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => HouseholdFilterInput, { nullable: true })
    filter?: HouseholdFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<HouseholdConnection> {
    if (first < 1 || first > MAX_PAGE)
      throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
    const f = filter ?? {};
    const filterKey = JSON.stringify([
      f.regionCode ?? null,
      f.decileMin ?? null,
      f.decileMax ?? null,
      f.verificationStatus ?? null,
    ]);
    const clientId = ctx.principal.clientId;
    const afterId = after ? ctx.cursors.decode(clientId, filterKey, after) : null;
    const page = await ctx.registry.householdPage(f, first, afterId);
    const edges = page.rows.map((node) => ({
      node: node as Household,
      cursor: ctx.cursors.encode(clientId, filterKey, node._key),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

@Resolver(() => Household)
export class HouseholdRelationsResolver {
  @FieldResolver(() => [Person], { nullable: true })
  members(
    @Root() household: HouseholdRecord,
    @Ctx() ctx: RequestContext,
  ): Promise<PersonRecord[] | null> {
    return ctx.registry.membersOf(household);
  }
}

@Resolver(() => Person)
export class PersonRelationsResolver {
  @FieldResolver(() => Household, { nullable: true })
  household(
    @Root() person: PersonRecord,
    @Ctx() ctx: RequestContext,
  ): Promise<HouseholdRecord | null> {
    return ctx.registry.householdOf(person);
  }
}

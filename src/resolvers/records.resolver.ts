import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type {
  HouseholdFilter,
  HouseholdOrder as Order,
  HouseholdRecord,
  PersonRecord,
} from '../db/scoped/scoped-registry.js';
import { badUserInput } from '../errors/gateway-errors.js';
import {
  HouseholdConnection,
  HouseholdFilterInput,
  HouseholdOrder,
} from '../schema/records/household-connection.type.js';
import { Household, Person } from '../schema/records/record.types.js';
import { DateScalar } from '../schema/scalars/date.scalar.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import type { RequestContext } from './request-context.js';
import { WorkListCursors } from './work-list-cursors.js';

/**
 * A connection as the resolver returns it; `_filter` (for `totalCount`) and `_dataAsOf` (the
 * page statement's as-of date, absent on an empty page) are internal.
 */
interface HouseholdConnectionRecord extends Omit<HouseholdConnection, 'totalCount' | 'dataAsOf'> {
  _filter: HouseholdFilter;
  /** Counted with the page when the operation selects `totalCount` (not on an empty page). */
  _total: number | undefined;
  _dataAsOf: string | undefined;
}

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
    description:
      'Work list: the households of your region scope matching the filter, a page at a time ' +
      '(first ≤ 500), in the order asked for. The members of a page, with their programs, come ' +
      'in one statement for the whole page.',
  })
  async households(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => HouseholdFilterInput, {
      nullable: true,
      description: 'Conditions that must all hold; none: every household of your region scope.',
    })
    filter?: HouseholdFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1–500.' }) first = 50,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page of the same query.',
    })
    after?: string | null,
    @Arg('orderBy', () => HouseholdOrder, {
      defaultValue: 'ID',
      description: 'The order of the list; ID unless given.',
    })
    orderBy: Order = 'ID',
  ): Promise<HouseholdConnectionRecord> {
    if (first < 1 || first > MAX_PAGE)
      throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
    const f: HouseholdFilter = { ...filter };
    const cursors = new WorkListCursors(ctx.cursors, ctx.principal.clientId, f, orderBy);
    const position = after ? cursors.decode(after) : null;
    const page = await ctx.registry.householdPage(f, orderBy, first, position);
    // Cursors are signed only when asked for: a work list read a page at a time needs one.
    const last = page.rows.at(-1);
    return {
      edges: page.rows.map((node) => ({
        node: node as Household,
        get cursor() {
          return cursors.encode(node);
        },
      })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        get endCursor() {
          return last ? cursors.encode(last) : null;
        },
      },
      _filter: f,
      _total: page.totalCount,
      _dataAsOf: page.rows[0]?.dataAsOf,
    };
  }
}

@Resolver(() => HouseholdConnection)
export class HouseholdConnectionResolver {
  /** Counted with the page; only an empty page, which has no row to carry it, counts alone. */
  @FieldResolver(() => Int)
  totalCount(
    @Root() connection: HouseholdConnectionRecord,
    @Ctx() ctx: RequestContext,
  ): number | Promise<number> {
    return connection._total ?? ctx.registry.householdCount(connection._filter);
  }

  /** Read with the page; only an empty page, which has no row to carry it, reads it alone. */
  @FieldResolver(() => DateScalar, { nullable: true })
  dataAsOf(
    @Root() connection: HouseholdConnectionRecord,
    @Ctx() ctx: RequestContext,
  ): string | Promise<string | null> {
    return connection._dataAsOf ?? ctx.registry.servedAsOf();
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

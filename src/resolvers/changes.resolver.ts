import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { ChangeEventView } from '../changes/change-feed-service.js';
import { badUserInput } from '../errors/gateway-errors.js';
import {
  ChangeEventConnection,
  SubjectSubscriptionResult,
  SubjectUnsubscriptionResult,
} from '../schema/change.types.js';
import { Program } from '../schema/eligibility.types.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import type { RequestContext } from './request-context.js';

/** With the full selection, a larger page would pass the operation cost limit (armor). */
const MAX_PAGE = 100;
/** The cursor's filter key: one feed per client. */
const FEED = 'changes';

/** Change feeds (CONTRACT §11). Thin: the rules live in src/changes and the gate. */
@Resolver()
export class ChangesResolver {
  @Mutation(() => SubjectSubscriptionResult, {
    description:
      'Follows these NIKs for a program of your agreement: when a new snapshot (or rule version) ' +
      'changes the decision on one of them, an EligibilityChange event is written for you. Each ' +
      'NIK is checked as by eligibilityBatch (same limit per operation, counted in your daily ' +
      'quota, audited); that decision is the "previous" of its first event. Following a NIK ' +
      'already followed changes nothing; a NIK not registered yet is followed too.',
  })
  subscribeSubjects(
    @Arg('program', () => Program) program: string,
    @Arg('niks', () => [NikScalar]) niks: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<SubjectSubscriptionResult> {
    return ctx.changes.subscribe(program, niks);
  }

  @Mutation(() => SubjectUnsubscriptionResult, {
    description:
      'Stops following these NIKs for the program: no event about them is written from now on ' +
      '(events already written stay in your feed). Same limit per operation as subscribeSubjects.',
  })
  unsubscribeSubjects(
    @Arg('program', () => Program) program: string,
    @Arg('niks', () => [NikScalar]) niks: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<SubjectUnsubscriptionResult> {
    return ctx.changes.unsubscribe(program, niks);
  }

  @Query(() => ChangeEventConnection, {
    description:
      'Your change events after `after`, oldest first (commit order); first ≤ 100. Keep the ' +
      'endCursor and pass it next time: you see every event exactly once, across restarts of ' +
      'the gateway. Without `after`, from your first event.',
  })
  async changes(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 100, description: 'Page size, 1–100.' }) first = 100,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of your previous read.',
    })
    after?: string | null,
  ): Promise<ChangeEventConnection> {
    if (first < 1 || first > MAX_PAGE)
      throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
    const clientId = ctx.principal.clientId;
    const position = after ? ctx.cursors.decode(clientId, FEED, after) : '0';
    if (!/^\d{1,19}$/.test(position)) throw badUserInput('after is not a cursor of this feed');
    const page = await ctx.changes.events(first, position);
    const edges = page.events.map((event: ChangeEventView) => ({
      node: event as never,
      cursor: ctx.cursors.encode(clientId, FEED, event.position),
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        // An empty page keeps the reader where it was.
        endCursor: edges.at(-1)?.cursor ?? after ?? null,
      },
    };
  }
}

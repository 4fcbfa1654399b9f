import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { badUserInput } from '../errors/gateway-errors.js';
import { AccessLogConnection } from '../schema/access-log.type.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import type { RequestContext } from './request-context.js';

/** The data subject's question "who looked at my data", answered from the audit log (admin only). */
@Resolver()
export class AccessLogResolver {
  @Query(() => AccessLogConnection, {
    description:
      'Who accessed this person’s data: when, which agency and client, officer, purpose, operation and fields. Newest first; first ≤ 1000.',
  })
  async accessLog(
    @Arg('nik', () => NikScalar) nik: string,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AccessLogConnection> {
    if (first < 1 || first > 1000) throw badUserInput('first must be between 1 and 1000');
    ctx.disclosure.subjects.add(nik); // looking at someone's access log is itself an access
    const subject = ctx.auditLog.subjectOf(nik);
    const beforeId = after
      ? Number(ctx.cursors.decode(ctx.principal.clientId, subject, after))
      : undefined;
    const entries = await ctx.auditLog.entries(subject, first + 1, beforeId);
    const page = entries.slice(0, first);
    const edges = page.map((node) => ({
      node,
      cursor: ctx.cursors.encode(ctx.principal.clientId, subject, String(node.id)),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: entries.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

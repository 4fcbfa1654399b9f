import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { PersonRecord } from '../db/scoped/scoped-registry.js';
import { badUserInput } from '../errors/gateway-errors.js';
import { Person } from '../schema/records/record.types.js';
import { NikScalar } from '../schema/scalars/nik.scalar.js';
import {
  SubjectAccessConnection,
  SubjectHousehold,
  SubjectReport,
} from '../schema/subject-report.types.js';
import type {
  SubjectHouseholdRecord,
  SubjectReport as Report,
} from '../subjects/subject-report-service.js';
import type { RequestContext } from './request-context.js';

const MAX_HISTORY_PAGE = 1000;

/** A person's report for a data subjects' service (CONTRACT §13). Thin: see src/subjects/. */
@Resolver(() => SubjectReport)
export class SubjectReportResolver {
  @Query(() => SubjectReport, {
    description:
      'For a data subjects’ service whose agreement states that it verified the person’s identity: ' +
      'the person’s own record in clear, the rest of their household as the agreement allows, each ' +
      'program’s current decision explained in Bahasa Indonesia and English, and who accessed their ' +
      'data. Audited as the person’s own access. Also at POST /subject/report (JSON or a printable page).',
  })
  myRecord(@Arg('nik', () => NikScalar) nik: string, @Ctx() ctx: RequestContext): Promise<Report> {
    return ctx.subjects.report(nik);
  }

  @FieldResolver(() => SubjectAccessConnection)
  async accessHistory(
    @Root() report: Report,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 100, description: 'Page size, 1–1000.' }) first = 100,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page.',
    })
    after?: string | null,
  ): Promise<SubjectAccessConnection> {
    if (first < 1 || first > MAX_HISTORY_PAGE) {
      throw badUserInput(`first must be between 1 and ${MAX_HISTORY_PAGE}`);
    }
    const subject = ctx.subjects.subjectOf(report.nik);
    const beforeId = after
      ? Number(ctx.cursors.decode(ctx.principal.clientId, subject, after))
      : undefined;
    const entries = await ctx.subjects.accessHistory(report.nik, first + 1, beforeId);
    const edges = entries.slice(0, first).map((node) => ({
      node,
      cursor: ctx.cursors.encode(ctx.principal.clientId, subject, String(node.id)),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: entries.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

@Resolver(() => SubjectHousehold)
export class SubjectHouseholdResolver {
  @FieldResolver(() => [Person], { nullable: true })
  members(
    @Root() household: SubjectHouseholdRecord,
    @Ctx() ctx: RequestContext,
  ): Promise<PersonRecord[] | null> {
    return ctx.subjects.otherMembers(household);
  }
}

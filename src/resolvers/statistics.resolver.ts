import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { StatisticsCell, StatisticsQuery, StatisticsResult } from '../schema/statistics.types.js';
import type { RequestContext } from './request-context.js';
import type { StatisticsAnswer, StatisticsArgs } from '../statistics/statistics-service.js';
import { cellsOf, type AnswerCell } from '../statistics/statistics-table.js';

/** Statistics for researchers, internal dashboards and administrators. Thin: see the service. */
@Resolver(() => StatisticsResult)
export class StatisticsResolver {
  @Query(() => StatisticsResult, {
    description:
      'A table of counts with disclosure control: differential privacy for researchers, the cell-key method with cell suppression for internal dashboards, exact counts for administrators (docs/privacy.md).',
  })
  statistics(
    @Arg('query', () => StatisticsQuery, {
      description: 'What to count, grouped how, within what.',
    })
    query: StatisticsQuery,
    @Ctx() ctx: RequestContext,
  ): Promise<StatisticsAnswer> {
    return ctx.statistics.query(query as StatisticsArgs);
  }

  /** The cell objects, made from the compact table only when a client asks for them. */
  @FieldResolver(() => [StatisticsCell])
  cells(@Root() answer: StatisticsAnswer): AnswerCell[] {
    return cellsOf(answer.table);
  }
}

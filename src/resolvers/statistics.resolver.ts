import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { StatisticsQuery, StatisticsResult } from '../schema/statistics.types.js';
import type { RequestContext } from './request-context.js';
import type { StatisticsAnswer, StatisticsArgs } from '../statistics/statistics-service.js';

/** Statistics for researchers, internal dashboards and administrators. Thin: see the service. */
@Resolver()
export class StatisticsResolver {
  @Query(() => StatisticsResult, {
    description:
      'A table of counts with disclosure control: differential privacy for researchers, cell suppression for internal dashboards, exact counts for administrators (docs/privacy.md).',
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
}

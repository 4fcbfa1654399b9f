import type { NormalizedStatisticsQuery } from '../../domain/statistics-query.js';

/**
 * The filters a dashboard table may use (docs/privacy.md "Internal dashboards"). The cell-key
 * method gives every group one fixed perturbation, so a small group's count can only be estimated
 * from differences of groups that differ by it, each with its own noise. Free subsets of deciles
 * or programs would give hundreds of such differences for one group (deciles {1–10} minus
 * {1–10 but 7}, {1–9} minus {1–9 but 7}, …), enough to average the noise away. So a dashboard
 * filters deciles only as "the poorest k" (1 … k, as the targeting views do) and programs one at
 * a time (grouping by PROGRAM gives every program's cell at once): each small group is then the
 * exact difference of at most a few published counts.
 *
 * Returns why the query is refused, or null when it is allowed.
 */
export function dashboardFilterRefusal(query: NormalizedStatisticsQuery): string | null {
  const deciles = query.deciles;
  if (deciles !== null && !deciles.every((d, i) => d === i + 1)) {
    return 'dashboards filter deciles as the poorest k: [1], [1, 2], … or [1, …, 10]';
  }
  const programs = query.programs;
  if (programs !== null && programs.length > 1 && !query.groupBy.includes('PROGRAM')) {
    return 'dashboards filter on one program at a time (group by PROGRAM for several)';
  }
  return null;
}

import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { GatewayUseAnswer } from '../monitoring/gateway-use.js';
import type { SnapshotHistoryEntry as SnapshotHistoryAnswer } from '../monitoring/snapshot-history.js';
import type { VerificationProgressAnswer } from '../monitoring/verification-progress.js';
import {
  GatewayUse,
  SnapshotHistoryEntry,
  VerificationProgress,
  VerificationProgressFilter,
} from '../schema/monitoring.types.js';
import { DateScalar } from '../schema/scalars/date.scalar.js';
import type { RequestContext } from './request-context.js';

/** Operational figures for internal dashboards and the administrator. Thin: see src/monitoring/. */
@Resolver()
export class MonitoringResolver {
  @Query(() => VerificationProgress, {
    description:
      'Verification (verivali) progress per regency of your region scope: households, never verified and not verified since a month, under the dashboard rule (docs/privacy.md); submissions and proposals by status and the median days to review. Internal dashboards and the administrator (operations:read).',
  })
  verificationProgress(
    @Arg('filter', () => VerificationProgressFilter, {
      nullable: true,
      description: 'Which regencies, and the month for notVerifiedSince.',
    })
    filter: VerificationProgressFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<VerificationProgressAnswer> {
    return ctx.monitoring.verificationProgress(filter);
  }

  @Query(() => [SnapshotHistoryEntry], {
    description:
      'The registry snapshots loaded, newest (the one served) first: as-of date, counts, data-quality warnings, import time. Internal dashboards and the administrator (operations:read).',
  })
  snapshotHistory(
    @Arg('first', () => Int, {
      nullable: true,
      description: 'How many, from 1 to 200 (default 20).',
    })
    first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SnapshotHistoryAnswer[]> {
    return ctx.monitoring.snapshotHistory(first);
  }

  @Query(() => GatewayUse, {
    description:
      'What the gateway was used for over a range of days (Asia/Jakarta, at most 366): requests per agency, purpose and outcome, refusals by code, privacy budget spent, daily quota use. Internal dashboards and the administrator (operations:read).',
  })
  gatewayUse(
    @Arg('from', () => DateScalar, { description: 'The first day, included.' }) from: string,
    @Arg('to', () => DateScalar, { description: 'The last day, included.' }) to: string,
    @Ctx() ctx: RequestContext,
  ): Promise<GatewayUseAnswer> {
    return ctx.monitoring.gatewayUse(from, to);
  }
}

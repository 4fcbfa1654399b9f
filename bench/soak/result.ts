/** What a soak run keeps in bench/results/soak-<size>.json. */
import type { AuditCheck } from './audit-check.js';
import type { LogCount } from './gateway-process.js';
import type { HeapSummary } from './heap-sampler.js';
import type { ActivitySummary } from './pg-activity.js';
import type { Mix } from './mix.js';
import type { LoadOutcome } from './plan.js';
import type { CpuUse, RssSample } from './process-sampler.js';

export interface AgreementLimits {
  client: string;
  ratePerMinute: number;
  dailyQuota: number;
  batchLimit: number;
  privacyBudget: number | null;
  lifted: boolean;
}

export interface RssSummary {
  samples: RssSample[];
  atStart: number;
  atOneMinute: number;
  atEnd: number;
  max: number;
  /** Least-squares slope of the samples from minute 1 on, MB per minute. */
  slopeMbPerMinute: number;
  /** The slope times the minutes after minute 1: the fitted growth. */
  growthAfterMinuteOne: number;
  thresholdMb: number;
  flat: boolean;
  perMinute: Array<{ minute: number; mean: number; max: number; last: number }>;
}

export interface SizeResult {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  minutes: number;
  /** An open loop at this many requests a second; null: closed loops (the test). */
  openRate: number | null;
  /** Open loop: the seconds over which the rate rose to `openRate` (absent in older results: 0). */
  rampSeconds?: number;
  connections: number;
  timeoutSeconds: number;
  mix: Array<{
    key: string;
    kind: string;
    client: string;
    operation: string;
    connections: number;
    rate: number | null;
    documents: number;
  }>;
  limits: AgreementLimits[];
  samples: Mix['samples'];
  load: LoadOutcome;
  rss: RssSummary;
  /** RSS split into V8's heap and the rest, and the live heap, per minute (runs since 2026-12-07). */
  heap?: HeapSummary | null;
  cpu: CpuUse;
  researcherBudget: { before: number | null; after: number | null };
  audit: AuditCheck;
  peakRssMb: number;
  /** Warnings and errors the gateway logged during the load. */
  gatewayLog: LogCount[];
  /** What PostgreSQL's client backends were running, sampled once a second. */
  pgActivity: ActivitySummary;
}

/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> =
  T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** How an audited request ended (docs/audit.md): DISCLOSED (answered), NOT_FOUND (nothing to disclose), REFUSED (by policy: an error code says why), FAILED (another error). */
export type AuditOutcome = 'DISCLOSED' | 'FAILED' | 'NOT_FOUND' | 'REFUSED';

/** PKH (Program Keluarga Harapan), BPNT (Sembako), PBI_JK (health insurance contribution), PIP (school assistance). */
export type Program = 'BPNT' | 'PBI_JK' | 'PIP' | 'PKH';

/** A level of the region reference: PROVINCE (2-digit code), REGENCY (regency or city, 4), DISTRICT (kecamatan, 6), VILLAGE (desa or kelurahan, 10). */
export type RegionLevel = 'DISTRICT' | 'PROVINCE' | 'REGENCY' | 'VILLAGE';

/** A dimension to group by. Codes: PROVINCE (2-digit region code), REGENCY (4 digits), DISTRICT (6 digits; not available to researchers), DECILE (1–10), PROGRAM (PKH, BPNT, PBI_JK, PIP; a household or person is counted once in each program it receives), SEX (M or F), AGE_BAND (0-5, 6-17, 18-59, 60+: completed years at the snapshot’s as-of date). For HOUSEHOLDS, SEX and AGE_BAND are those of the head of household. */
export type StatisticsDimension =
  'AGE_BAND' | 'DECILE' | 'DISTRICT' | 'PROGRAM' | 'PROVINCE' | 'REGENCY' | 'SEX';

/** What is counted. PERSONS and HOUSEHOLDS count the registry; RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS and RECIPIENTS_NOT_ELIGIBLE say whether programs reach their targets (docs/privacy.md). RECIPIENTS = recipients eligible + RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE = recipients eligible + ELIGIBLE_NON_RECIPIENTS, cell by cell. */
export type StatisticsMeasure =
  /** Units eligible for the program under its rule. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  | 'ELIGIBLE'
  /** Units eligible for the program that do not receive it (exclusion error). Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  | 'ELIGIBLE_NON_RECIPIENTS'
  /** Households. */
  | 'HOUSEHOLDS'
  /** ACTIVE members, at most 10 per household (the first 10 by NIK; larger households count as 10). */
  | 'PERSONS'
  /** Units receiving the program. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  | 'RECIPIENTS'
  /** Units receiving the program that are not eligible for it (inclusion error), e.g. a recipient who died or moved, or a household above the decile threshold. Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions). */
  | 'RECIPIENTS_NOT_ELIGIBLE';

/** How the numbers were protected. DIFFERENTIAL_PRIVACY (researchers): integer noise added to every cell, see margin95, then fitted into a consistent non-negative table (margins add up). SUPPRESSION (internal dashboards): the cell-key method — each count moved by at most 4, the same units always by the same amount — with cells of 1–9 and the cells needed to protect them hidden. EXACT (administrators with statistics:exact): exact counts. */
export type StatisticsMethod = 'DIFFERENTIAL_PRIVACY' | 'EXACT' | 'SUPPRESSION';

export type DashboardMeQueryVariables = Exact<{ [key: string]: never }>;

export type DashboardMeQuery = {
  me: { clientId: string; agencyName: string; purposes: Array<string> };
};

export type DecilePersonsQueryVariables = Exact<{
  regionCode?: string | null | undefined;
}>;

export type DecilePersonsQuery = {
  statistics: {
    method: StatisticsMethod;
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
  };
};

export type GatewayUseQueryVariables = Exact<{
  from: string;
  to: string;
}>;

export type GatewayUseQuery = {
  gatewayUse: {
    from: string;
    to: string;
    requests: Array<{
      day: string;
      agencyId: string | null;
      agencyName: string | null;
      purpose: string | null;
      outcome: AuditOutcome;
      count: number;
    }>;
    refusals: Array<{ agencyName: string | null; errorCode: string; count: number }>;
    privacyBudget: Array<{
      clientId: string;
      agencyName: string | null;
      snapshotAsOf: string;
      epsilonSpent: number;
      epsilonBudget: number | null;
    }>;
    quotaUse: Array<{
      agencyName: string;
      day: string;
      distinctSubjects: number;
      dailyQuota: number;
      share: number;
    }>;
  };
};

export type NationalOverviewQueryVariables = Exact<{ [key: string]: never }>;

export type NationalOverviewQuery = {
  snapshot: { asOf: string; households: number; persons: number } | null;
  statistics: {
    method: StatisticsMethod;
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
  };
};

export type PoorestPersonsByRegionQueryVariables = Exact<{
  level: StatisticsDimension;
  regionCode?: string | null | undefined;
}>;

export type PoorestPersonsByRegionQuery = {
  statistics: {
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
  };
};

export type ProvincesQueryVariables = Exact<{ [key: string]: never }>;

export type ProvincesQuery = { regions: Array<{ code: string; name: string }> };

export type RegionHouseholdsQueryVariables = Exact<{
  level: StatisticsDimension;
  regionCode?: string | null | undefined;
}>;

export type RegionHouseholdsQuery = {
  statistics: {
    method: StatisticsMethod;
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
  };
};

export type RegionPopulationQueryVariables = Exact<{
  level: RegionLevel;
  parentCode?: unknown;
}>;

export type RegionPopulationQuery = {
  regions: Array<{ code: string; name: string; population: { total: number } | null }>;
};

export type SnapshotHistoryQueryVariables = Exact<{
  first?: number | null | undefined;
}>;

export type SnapshotHistoryQuery = {
  snapshotHistory: Array<{
    id: number;
    asOf: string;
    loadedAt: string;
    households: number;
    persons: number;
    programRecipients: number;
    dataQualityWarningTotal: number;
    importSeconds: number;
    served: boolean;
  }>;
};

export type SnapshotTotalsQueryVariables = Exact<{ [key: string]: never }>;

export type SnapshotTotalsQuery = {
  snapshot: { asOf: string; households: number; persons: number } | null;
};

export type TargetingByDecileQueryVariables = Exact<{
  measure: StatisticsMeasure;
  program: Program;
  regionCode?: string | null | undefined;
}>;

export type TargetingByDecileQuery = {
  statistics: {
    method: StatisticsMethod;
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
    ruleVersions: Array<{ program: Program; version: number }>;
  };
};

export type TargetingByRegionQueryVariables = Exact<{
  measure: StatisticsMeasure;
  program: Program;
  level: StatisticsDimension;
  regionCode?: string | null | undefined;
}>;

export type TargetingByRegionQuery = {
  statistics: {
    method: StatisticsMethod;
    dataAsOf: string;
    cells: Array<{
      value: number | null;
      suppressed: boolean;
      key: Array<{ code: string; label: string }>;
    }>;
  };
};

export type VerificationProgressQueryVariables = Exact<{
  regionCode?: string | null | undefined;
  notVerifiedSince?: string | null | undefined;
}>;

export type VerificationProgressQuery = {
  verificationProgress: {
    dataAsOf: string | null;
    notVerifiedSince: string | null;
    regencies: Array<{
      regencyCode: string;
      regencyName: string;
      provinceCode: string;
      suppressed: boolean;
      medianDaysToReview: number | null;
      households: { value: number | null; suppressed: boolean };
      neverVerified: { value: number | null; suppressed: boolean };
      notVerifiedSince: { value: number | null; suppressed: boolean } | null;
      submissions: {
        submitted: number;
        approved: number;
        rejected: number;
        applied: number;
        total: number;
      } | null;
    }>;
  };
};

export const DashboardMeDocument = {
  __meta__: { hash: 'sha256:88089f9964a5d600136f55ee305561b6eb5ea0e31876c61038facf7088b9d930' },
} as unknown as DocumentNode<DashboardMeQuery, DashboardMeQueryVariables>;
export const DecilePersonsDocument = {
  __meta__: { hash: 'sha256:f4932bf78f00989231fd0fa4c91c9d7059744111ac378e6709726c7354018067' },
} as unknown as DocumentNode<DecilePersonsQuery, DecilePersonsQueryVariables>;
export const GatewayUseDocument = {
  __meta__: { hash: 'sha256:01b6d6d50de31e23a3dda065bcb1cc032ecc56d872f0414304da25c9d8cf4c71' },
} as unknown as DocumentNode<GatewayUseQuery, GatewayUseQueryVariables>;
export const NationalOverviewDocument = {
  __meta__: { hash: 'sha256:1fe8f14811e06ab9ab6f22c17030b1520a00d321eab0415c336cdced3fe21af0' },
} as unknown as DocumentNode<NationalOverviewQuery, NationalOverviewQueryVariables>;
export const PoorestPersonsByRegionDocument = {
  __meta__: { hash: 'sha256:2033da9a57dac292173e3ab60ce14f79fae7455c2242c9d4a9a07910dc0ea197' },
} as unknown as DocumentNode<PoorestPersonsByRegionQuery, PoorestPersonsByRegionQueryVariables>;
export const ProvincesDocument = {
  __meta__: { hash: 'sha256:6536821f7cb0729b52c23cbd2869535c317bb31e635eeef18b7db1c864fa1404' },
} as unknown as DocumentNode<ProvincesQuery, ProvincesQueryVariables>;
export const RegionHouseholdsDocument = {
  __meta__: { hash: 'sha256:05ebc0a9f17e03a8fc6f16e51a53769f449d17cfbd8c39cec20201c7d38953ce' },
} as unknown as DocumentNode<RegionHouseholdsQuery, RegionHouseholdsQueryVariables>;
export const RegionPopulationDocument = {
  __meta__: { hash: 'sha256:2a211b555c09e1635706cf147b76c74a62369bf1afa036cbe02e44f304813550' },
} as unknown as DocumentNode<RegionPopulationQuery, RegionPopulationQueryVariables>;
export const SnapshotHistoryDocument = {
  __meta__: { hash: 'sha256:8ac8f98b02e48f4d6092a1702109bbda98dfe965979ab2cee515de8134431c23' },
} as unknown as DocumentNode<SnapshotHistoryQuery, SnapshotHistoryQueryVariables>;
export const SnapshotTotalsDocument = {
  __meta__: { hash: 'sha256:c18393d7335b7ba3cd99a5c7c7fe2358f1ba010bd36e8a8079e40722dda089a6' },
} as unknown as DocumentNode<SnapshotTotalsQuery, SnapshotTotalsQueryVariables>;
export const TargetingByDecileDocument = {
  __meta__: { hash: 'sha256:ad02851e1a819ae28f998451599a72a6b85bd9bcffe50341e5beb1c3f634be9e' },
} as unknown as DocumentNode<TargetingByDecileQuery, TargetingByDecileQueryVariables>;
export const TargetingByRegionDocument = {
  __meta__: { hash: 'sha256:54fffdd9b41aaf3a74dd71cbebd799f7f96090980984e2bda71844dc9e7063ee' },
} as unknown as DocumentNode<TargetingByRegionQuery, TargetingByRegionQueryVariables>;
export const VerificationProgressDocument = {
  __meta__: { hash: 'sha256:1c737766e5a02966315d5cbcb160716a006c61f499b5767df320afd56c41e8f3' },
} as unknown as DocumentNode<VerificationProgressQuery, VerificationProgressQueryVariables>;

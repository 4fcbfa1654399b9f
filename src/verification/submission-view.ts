import type { MaskName, ResolvedRule } from '../auth/field-policy.js';
import type { SubmissionRecord } from '../db/scoped/verification-store.js';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { HouseholdDetails, VerificationPayload } from '../domain/verification-input.js';

/** A stored submission as the API shows it; `_record` stays internal (its payload has clear NIKs). */
export interface SubmissionView {
  id: string;
  kind: string;
  status: string;
  householdId: string | null;
  regionCode: string | null;
  outcome: string | null;
  visitedAt: string;
  officerId: string | null;
  submittedBy: string;
  submittedByAgency: string;
  submittedAt: Date;
  note: string | null;
  changeSummary: string;
  reviewedBy: string | null;
  reviewedByAgency: string | null;
  reviewerOfficerId: string | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  appliedAt: Date | null;
  appliedSnapshotId: number | null;
  dataAsOf: string | null;
  _record: SubmissionRecord;
}

export function submissionView(r: SubmissionRecord): SubmissionView {
  return {
    id: r.publicId,
    kind: r.kind,
    status: r.status,
    householdId: r.householdId,
    regionCode: r.regionCode,
    outcome: r.outcome,
    visitedAt: r.visitedAt,
    officerId: r.officerId,
    submittedBy: r.clientId,
    submittedByAgency: r.agencyId,
    submittedAt: r.submittedAt,
    note: r.note,
    changeSummary: changeSummary(r.payload),
    reviewedBy: r.reviewerClientId,
    reviewedByAgency: r.reviewerAgencyId,
    reviewerOfficerId: r.reviewerOfficerId,
    reviewedAt: r.reviewedAt,
    reviewNote: r.reviewNote,
    appliedAt: r.appliedAt,
    appliedSnapshotId: r.appliedSnapshotId,
    dataAsOf: r.dataAsOf,
    _record: r,
  };
}

/**
 * The changes in words, without personal data: the household fields given, and member changes
 * counted by action, e.g. `address, floorType; members: 1 ADD, 1 DECEASED`.
 */
export function changeSummary(payload: VerificationPayload): string {
  const parts: string[] = [];
  const fields = Object.keys(payload.household);
  if (fields.length > 0) parts.push(fields.join(', '));
  const counts = new Map<string, number>();
  for (const m of payload.members) counts.set(m.action, (counts.get(m.action) ?? 0) + 1);
  if (counts.size > 0)
    parts.push(`members: ${[...counts].map(([action, n]) => `${n} ${action}`).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no changes';
}

/** The household part of the changes, plus the proposal's KK number (internal until resolved). */
export type ChangesView = HouseholdDetails & {
  _kkNumber: string | null;
  members: VerificationPayload['members'];
};

export function changesView(r: SubmissionRecord): ChangesView {
  return { ...r.payload.household, _kkNumber: r.kkNumber, members: r.payload.members };
}

const MASKERS: Record<MaskName, (value: string) => string> = {
  FIRST6_LAST4: (v) => `${v.slice(0, 6)}******${v.slice(-4)}`,
};

/**
 * A personal value of a submission as the principal's field rule for the matching record field
 * allows (shown, masked or withheld), noted for `extensions.disclosure` and the audit like the
 * record fields themselves. The values come from the submission table, not the registry, so the
 * mask is applied here rather than in SQL.
 */
export function governedValue<T extends string>(
  disclosure: DisclosureRecord,
  rule: ResolvedRule,
  field: { type: string; name: string; path: string },
  value: T | null | undefined,
): string | null {
  if (value === null || value === undefined) return null;
  if (rule.rule === 'withhold') {
    disclosure.notes.push({ path: field.path, rule: 'WITHHELD' });
    return null;
  }
  disclosure.fields.add(`${field.type}.${field.name}`);
  if (rule.rule === 'show') return value;
  disclosure.notes.push({ path: field.path, rule: 'MASKED', mask: rule.mask });
  return MASKERS[rule.mask](value);
}

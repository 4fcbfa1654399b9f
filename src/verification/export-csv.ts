import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { approvedSince, type ApprovedSubmission } from '../db/queries/verification-export-query.js';
import { csvField } from '../csv/csv-writer.js';
import type { MemberChange } from '../domain/verification-input.js';

/**
 * The columns of the export (docs/verification-export.md documents each). Household and member
 * columns are named as in the snapshot format (CONTRACT §4), so the central ranking cycle can
 * map them directly; each line repeats the submission's columns and stands alone.
 */
export const EXPORT_COLUMNS = [
  'submission_id',
  'kind',
  'record',
  'status',
  'household_id',
  'kk_number',
  'region_code',
  'outcome',
  'visited_at',
  'address',
  'floor_area_m2',
  'floor_type',
  'wall_type',
  'roof_type',
  'water_source',
  'sanitation',
  'lighting',
  'cooking_fuel',
  'member_action',
  'nik',
  'name',
  'sex',
  'birth_date',
  'relationship',
  'pregnant',
  'disability',
  'in_school',
  'officer_id',
  'submitted_by',
  'submitted_by_agency',
  'submitted_at',
  'reviewed_by',
  'reviewed_by_agency',
  'reviewer_officer_id',
  'approved_at',
  'note',
  'review_note',
] as const;
type Column = (typeof EXPORT_COLUMNS)[number];

export interface ExportSummary {
  /** CSV lines written, header excluded. */
  rows: number;
  submissions: number;
  proposals: number;
  /** Of those, already in a published snapshot (status APPLIED). */
  alreadyApplied: number;
}

const PAGE = 1_000;

/**
 * Writes every submission and proposal approved since `since` (00:00 Jakarta time) to `out`:
 * into a temporary file next to it, renamed into place once complete, so a reader never sees
 * half a file and a failed run leaves no file behind.
 */
export async function exportApproved(
  db: Kysely<Database>,
  options: { since: string; out: string },
): Promise<ExportSummary> {
  const since = new Date(`${options.since}T00:00:00+07:00`);
  const temporary = `${options.out}.tmp-${process.pid}`;
  const stream = createWriteStream(temporary, { flags: 'wx' });
  const summary: ExportSummary = { rows: 0, submissions: 0, proposals: 0, alreadyApplied: 0 };
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  try {
    await once(stream, 'open');
    await write(EXPORT_COLUMNS.join(',') + '\n');
    let afterId = 0;
    for (;;) {
      const page = await approvedSince(db, since, afterId, PAGE);
      if (page.length === 0) break;
      let text = '';
      for (const s of page) {
        if (s.kind === 'PROPOSAL') summary.proposals++;
        else summary.submissions++;
        if (s.status === 'APPLIED') summary.alreadyApplied++;
        const lines = exportLines(s);
        summary.rows += lines.length;
        text += lines.join('');
      }
      await write(text);
      afterId = page.at(-1)!.id;
      if (page.length < PAGE) break;
    }
    stream.end();
    await once(stream, 'finish');
    await rename(temporary, options.out);
    return summary;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The lines of one submission: its HOUSEHOLD line, then one MEMBER line per member change. */
export function exportLines(s: ApprovedSubmission): string[] {
  const common: Partial<Record<Column, string>> = {
    submission_id: s.publicId,
    kind: s.kind,
    status: s.status,
    household_id: s.householdId ?? '',
    kk_number: s.kkNumber ?? '',
    region_code: s.regionCode ?? '',
    outcome: s.outcome ?? '',
    visited_at: s.visitedAt,
    officer_id: s.officerId ?? '',
    submitted_by: s.clientId,
    submitted_by_agency: s.agencyId,
    submitted_at: s.submittedAt.toISOString(),
    reviewed_by: s.reviewerClientId,
    reviewed_by_agency: s.reviewerAgencyId,
    reviewer_officer_id: s.reviewerOfficerId ?? '',
    approved_at: s.reviewedAt.toISOString(),
    note: s.note ?? '',
    review_note: s.reviewNote ?? '',
  };
  const h = s.payload.household;
  const household: Partial<Record<Column, string>> = {
    ...common,
    record: 'HOUSEHOLD',
    address: h.address ?? '',
    floor_area_m2:
      h.floorAreaM2 === null || h.floorAreaM2 === undefined ? '' : String(h.floorAreaM2),
    floor_type: h.floorType ?? '',
    wall_type: h.wallType ?? '',
    roof_type: h.roofType ?? '',
    water_source: h.waterSource ?? '',
    sanitation: h.sanitation ?? '',
    lighting: h.lighting ?? '',
    cooking_fuel: h.cookingFuel ?? '',
  };
  return [household, ...s.payload.members.map((m) => ({ ...common, ...memberColumns(m) }))].map(
    line,
  );
}

function memberColumns(m: MemberChange): Partial<Record<Column, string>> {
  const bool = (b: boolean | null | undefined) => (b === null || b === undefined ? '' : String(b));
  return {
    record: 'MEMBER',
    member_action: m.action,
    nik: m.nik,
    name: m.name ?? '',
    sex: m.sex ?? '',
    birth_date: m.birthDate ?? '',
    relationship: m.relationship ?? '',
    pregnant: bool(m.pregnant),
    disability: m.disability ?? '',
    in_school: bool(m.inSchool),
  };
}

function line(values: Partial<Record<Column, string>>): string {
  return EXPORT_COLUMNS.map((c) => csvField(values[c] ?? '')).join(',') + '\n';
}

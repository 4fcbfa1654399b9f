import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/csv/csv-writer.js';
import { CsvParser } from '../../src/csv/csv-parser.js';
import { EXPORT_COLUMNS, exportApproved } from '../../src/verification/export-csv.js';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { importText, type SnapshotText } from '../support/snapshot-fixture.js';
import {
  daysAgo,
  freshNik,
  key,
  NIK,
  proposal,
  PROPOSE,
  recentSnapshot,
  REVIEW,
  SUBMIT,
  TODAY,
  useVerificationGateway,
  type VerificationFixture,
} from '../support/verification-fixture.js';

let f: VerificationFixture;
useVerificationGateway((fixture) => (f = fixture));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-verivali-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the real command (from source, through tsx) against the test database. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: f.db.url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function parseCsv(text: string): string[][] {
  const parser = new CsvParser();
  const records = [...parser.push(text), ...parser.end()];
  expect(parser.errors).toEqual([]);
  return records.map((r) => r.fields);
}

function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n');
}

type Row = Record<(typeof EXPORT_COLUMNS)[number], string>;

/**
 * What the central ranking cycle does with the export, in miniature: applies each approved
 * change to its copy of the registry and sets `verified_at` to the visit date (the rule by which
 * the gateway recognises an applied verification). Submissions in `skip` are left for a later
 * cycle.
 */
function applyLikeTheCentralCycle(
  base: SnapshotText,
  exported: Row[],
  skip: Set<string>,
): SnapshotText {
  const households = parseCsv(base.households);
  const members = parseCsv(base.members);
  const hHeader = households[0]!;
  const mHeader = members[0]!;
  const hCol = (name: string) => hHeader.indexOf(name);
  const mCol = (name: string) => mHeader.indexOf(name);
  const proposedIds = new Map<string, string>();
  for (const row of exported) {
    if (skip.has(row.submission_id)) continue;
    if (row.kind === 'PROPOSAL' && row.record === 'HOUSEHOLD') {
      const id = `H${households.length}`; // the header counts: H4 after H1–H3
      proposedIds.set(row.submission_id, id);
      const line = hHeader.map(() => '');
      for (const c of ['kk_number', 'region_code', 'address', 'floor_type'])
        line[hCol(c)] = row[c as keyof Row];
      line[hCol('household_id')] = id;
      line[hCol('verification_status')] = 'VERIFIED';
      line[hCol('verified_at')] = row.visited_at;
      line[hCol('source')] = 'SIKS_DROID';
      households.push(line);
      continue;
    }
    const householdId = row.household_id || proposedIds.get(row.submission_id)!;
    if (row.record === 'HOUSEHOLD') {
      const line = households.find((h) => h[0] === householdId)!;
      for (const c of [
        'address',
        'floor_type',
        'wall_type',
        'roof_type',
        'water_source',
        'sanitation',
        'lighting',
        'cooking_fuel',
      ]) {
        if (row[c as keyof Row] !== '') line[hCol(c)] = row[c as keyof Row];
      }
      line[hCol('verification_status')] = 'VERIFIED';
      line[hCol('verified_at')] = row.visited_at;
      continue;
    }
    if (row.member_action === 'ADD') {
      const line = mHeader.map(() => '');
      for (const c of [
        'nik',
        'name',
        'sex',
        'birth_date',
        'relationship',
        'pregnant',
        'disability',
        'in_school',
      ])
        line[mCol(c)] = row[c as keyof Row];
      line[mCol('household_id')] = householdId;
      line[mCol('status')] = 'ACTIVE';
      members.push(line);
    } else {
      const line = members.find((m) => m[mCol('nik')] === row.nik)!;
      if (row.member_action === 'CORRECT') {
        if (row.name) line[mCol('name')] = row.name;
        if (row.birth_date) line[mCol('birth_date')] = row.birth_date;
      } else line[mCol('status')] = row.member_action;
    }
  }
  return { households: toCsv(households), members: toCsv(members), recipients: base.recipients };
}

const idOf = (r: { body: { data?: unknown } }, field: string) =>
  (r.body.data as Record<string, { id: string }>)[field]!.id;

describe('the verivali round trip', () => {
  it('submit → review → export → import as the next snapshot → the change is served and APPLIED', async () => {
    // 1. Field officers of pemda-3201 send what they found.
    const newborn = freshNik();
    const visit = daysAgo(2);
    const s1 = idOf(
      await f.as('pemda-3201', SUBMIT, {
        input: {
          householdId: 'H1',
          outcome: 'UPDATED',
          visitedAt: visit,
          idempotencyKey: key(),
          changes: { address: 'Jl. Kenanga No. 9, RT 004/RW 001', floorType: 'CEMENT_BRICK' },
          memberChanges: [
            {
              action: 'ADD',
              nik: newborn,
              name: 'Putri "Ayu", Santoso',
              sex: 'F',
              birthDate: daysAgo(15),
              relationship: 'CHILD',
            },
            { action: 'MOVED', nik: NIK.AHMAD },
            { action: 'CORRECT', nik: NIK.SITI, name: 'Siti Aminah Santoso' },
          ],
          note: 'baris kedua\nbaris ketiga',
        },
      }),
      'submitVerification',
    );
    const proposed = proposal();
    const p1 = idOf(await f.as('pemda-3201', PROPOSE, { input: proposed }), 'proposeHousehold');
    const s3 = idOf(
      await f.as('pemda-3201', SUBMIT, {
        input: {
          householdId: 'H3',
          outcome: 'CONFIRMED',
          visitedAt: daysAgo(1),
          idempotencyKey: key(),
        },
      }),
      'submitVerification',
    );
    const s4 = idOf(
      await f.as('pemda-3201', SUBMIT, {
        input: {
          householdId: 'H1',
          outcome: 'NOT_FOUND',
          visitedAt: daysAgo(1),
          idempotencyKey: key(),
        },
      }),
      'submitVerification',
    );
    // The served snapshot has not changed.
    const h1 =
      '{ household(id: "H1") { address verifiedAt members { nik name status } history { type submissionId snapshotId } } }';
    const before = (await f.as('pemda-3201', h1)).body.data as { household: { address: string } };
    expect(before.household.address).toBe('Jl. Melati No. 1, RT 001/RW 002');

    // 2. The Dinas Sosial reviews.
    for (const [id, decision, note] of [
      [s1, 'APPROVED', null],
      [p1, 'APPROVED', null],
      [s3, 'APPROVED', null],
      [s4, 'REJECTED', 'keluarga ditemukan'],
    ] as const) {
      const r = await f.as('pemda-3201-review', REVIEW, { id, decision, note });
      expect(r.body.errors, id).toBeUndefined();
    }

    // 3. The operator exports what was approved today, for the central ranking cycle.
    const out = path.join(dir, 'approved.csv');
    const [exported, failed] = await Promise.all([
      cli(['verifications', 'export', '--since', TODAY, '--out', out]),
      cli([
        'verifications',
        'export',
        '--since',
        TODAY,
        '--out',
        path.join(dir, 'missing', 'x.csv'),
      ]),
    ]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(
      `wrote 7 rows for 2 submissions and 1 proposals approved since ${TODAY} (0 already APPLIED) to ${out}\n`,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `dtks-gateway verifications export: cannot write ${path.join(dir, 'missing', 'x.csv')} (ENOENT)\n`,
    );
    expect(await readdir(dir)).toEqual(['approved.csv']); // no temporary file left behind

    const [header, ...lines] = parseCsv(await readFile(out, 'utf8'));
    expect(header).toEqual([...EXPORT_COLUMNS]);
    const rows = lines.map((l) => Object.fromEntries(header!.map((c, i) => [c, l[i]!])) as Row);
    expect(rows.map((r) => [r.submission_id, r.kind, r.record, r.member_action])).toEqual([
      [s1, 'SUBMISSION', 'HOUSEHOLD', ''],
      [s1, 'SUBMISSION', 'MEMBER', 'ADD'],
      [s1, 'SUBMISSION', 'MEMBER', 'MOVED'],
      [s1, 'SUBMISSION', 'MEMBER', 'CORRECT'],
      [p1, 'PROPOSAL', 'HOUSEHOLD', ''],
      [p1, 'PROPOSAL', 'MEMBER', 'ADD'],
      [s3, 'SUBMISSION', 'HOUSEHOLD', ''],
    ]);
    expect(rows[0]).toMatchObject({
      status: 'APPROVED',
      household_id: 'H1',
      kk_number: '',
      region_code: '3201011001',
      outcome: 'UPDATED',
      visited_at: visit,
      address: 'Jl. Kenanga No. 9, RT 004/RW 001',
      floor_type: 'CEMENT_BRICK',
      wall_type: '',
      nik: '',
      officer_id: 'officer-of-pemda-3201',
      submitted_by: 'pemda-3201',
      submitted_by_agency: 'pemkab-bogor',
      reviewed_by: 'pemda-3201-review',
      reviewed_by_agency: 'dinsos-bogor',
      reviewer_officer_id: 'officer-of-pemda-3201-review',
      note: 'baris kedua\nbaris ketiga',
    });
    expect(Date.parse(rows[0]!.approved_at)).toBeGreaterThan(Date.now() - 120_000);
    // The central cycle needs the NIKs in clear.
    expect(rows[1]).toMatchObject({
      nik: newborn,
      name: 'Putri "Ayu", Santoso',
      sex: 'F',
      birth_date: daysAgo(15),
      relationship: 'CHILD',
      address: '',
    });
    expect(rows[2]).toMatchObject({ nik: NIK.AHMAD, name: '' });
    expect(rows[4]).toMatchObject({
      kk_number: proposed.kkNumber,
      household_id: '',
      region_code: '3201011001',
      outcome: '',
      address: 'Kp. Baru RT 003/RW 004',
    });
    expect(rows[5]).toMatchObject({
      nik: (proposed.members as Array<{ nik: string }>)[0]!.nik,
      relationship: 'HEAD',
    });

    // 4. The central cycle applies s1 and p1 (not yet s3), and a new snapshot is imported.
    const next = applyLikeTheCentralCycle(recentSnapshot(), rows, new Set([s3]));
    const sealKey = await loadOrCreateKeyFile(f.gateway.dataDir, SUBJECT_SEAL_KEY);
    const summary = await importText(f.db, next, TODAY, sealKey);
    expect(summary.verificationsApplied).toBe(2);

    // 5. The change is served, and the submissions say where they stand.
    const after = (await f.as('pemda-3201', h1)).body.data as {
      household: {
        address: string;
        verifiedAt: string;
        members: Array<{ nik: string; name: string; status: string }>;
        history: Array<{ type: string; submissionId: string; snapshotId: number | null }>;
      };
    };
    expect(after.household.address).toBe('Jl. Kenanga No. 9, RT 004/RW 001');
    expect(after.household.verifiedAt).toBe(visit);
    expect(after.household.members).toEqual(
      expect.arrayContaining([
        {
          nik: `${newborn.slice(0, 6)}******${newborn.slice(-4)}`,
          name: 'Putri "Ayu", Santoso',
          status: 'ACTIVE',
        },
        { nik: '320101******9003', name: 'Ahmad', status: 'MOVED' },
        { nik: '320101******9002', name: 'Siti Aminah Santoso', status: 'ACTIVE' },
      ]),
    );
    expect(after.household.history.filter((e) => e.submissionId === s1)).toEqual([
      { type: 'SUBMITTED', submissionId: s1, snapshotId: null },
      { type: 'APPROVED', submissionId: s1, snapshotId: null },
      { type: 'APPLIED', submissionId: s1, snapshotId: summary.snapshotId },
    ]);

    const list = await f.as(
      'pemda-3201',
      '{ verificationSubmissions(first: 50) { edges { node { id status householdId appliedSnapshotId appliedAt } } } }',
    );
    const byId = new Map(
      (
        list.body.data as {
          verificationSubmissions: { edges: Array<{ node: Record<string, unknown> }> };
        }
      ).verificationSubmissions.edges.map((e) => [e.node.id as string, e.node]),
    );
    expect(byId.get(s1)).toMatchObject({
      status: 'APPLIED',
      householdId: 'H1',
      appliedSnapshotId: summary.snapshotId,
    });
    // The proposal now knows the household the cycle registered for it.
    expect(byId.get(p1)).toMatchObject({
      status: 'APPLIED',
      householdId: 'H4',
      appliedSnapshotId: summary.snapshotId,
    });
    expect(byId.get(s3)).toMatchObject({
      status: 'APPROVED',
      appliedSnapshotId: null,
      appliedAt: null,
    });
    expect(byId.get(s4)).toMatchObject({ status: 'REJECTED', appliedSnapshotId: null });
    const h4 = await f.as(
      'pemda-3201',
      '{ household(id: "H4") { kkNumber members { name } history { type submissionId } } }',
    );
    expect(h4.body.data).toEqual({
      household: {
        kkNumber: `${(proposed.kkNumber as string).slice(0, 6)}******${(proposed.kkNumber as string).slice(-4)}`,
        members: [{ name: 'Rahmat Hidayat' }],
        history: ['SUBMITTED', 'APPROVED', 'APPLIED'].map((type) => ({ type, submissionId: p1 })),
      },
    });

    // 6. pemda-3201 learned all of it from its change feed: the reviews of what it sent, their
    // application, and what the new snapshot changed in its region.
    const feed = await f.as(
      'pemda-3201',
      `{ changes(first: 100) { edges { node { kind
          ... on VerificationStatusChange { submissionId submissionKind householdId previousStatus status }
          # householdId is nullable here (a proposal has none before it is applied): an alias
          ... on HouseholdChange { household: householdId change fields } } } } }`,
    );
    expect(feed.body.errors).toBeUndefined();
    const nodes = (
      feed.body.data as { changes: { edges: Array<{ node: { kind: string } }> } }
    ).changes.edges.map((e) => e.node);
    const status = (
      submissionId: string,
      submissionKind: string,
      householdId: string | null,
      previousStatus: string,
      to: string,
    ) => ({
      kind: 'VERIFICATION_STATUS_CHANGED',
      submissionId,
      submissionKind,
      householdId,
      previousStatus,
      status: to,
    });
    const reviewed = nodes.slice(0, 4);
    expect(reviewed).toEqual([
      status(s1, 'SUBMISSION', 'H1', 'SUBMITTED', 'APPROVED'),
      status(p1, 'PROPOSAL', null, 'SUBMITTED', 'APPROVED'),
      status(s3, 'SUBMISSION', 'H3', 'SUBMITTED', 'APPROVED'),
      status(s4, 'SUBMISSION', 'H1', 'SUBMITTED', 'REJECTED'),
    ]);
    // The import's events, in the order it wrote them: the submissions it applied, then its
    // region's households.
    expect(nodes.slice(4)).toEqual([
      ...[
        status(s1, 'SUBMISSION', 'H1', 'APPROVED', 'APPLIED'),
        status(p1, 'PROPOSAL', 'H4', 'APPROVED', 'APPLIED'),
      ].sort((x, y) => (x.submissionId < y.submissionId ? -1 : 1)), // ORDER BY public_id
      {
        kind: 'HOUSEHOLD_CHANGED',
        household: 'H1',
        change: 'CHANGED',
        fields: ['address', 'verifiedAt', 'housing', 'members'],
      },
      { kind: 'HOUSEHOLD_CHANGED', household: 'H4', change: 'ADDED', fields: [] },
    ]);
    // The reviewer's own feed has the region's households, not the sender's submissions.
    const reviewerFeed = await f.as(
      'pemda-3201-review',
      '{ changes(first: 100) { edges { node { kind } } } }',
    );
    expect(reviewerFeed.body.data).toEqual({
      changes: {
        edges: [{ node: { kind: 'HOUSEHOLD_CHANGED' } }, { node: { kind: 'HOUSEHOLD_CHANGED' } }],
      },
    });

    // 7. A later export still lists them, marked APPLIED; importing again applies nothing new.
    const again = path.join(dir, 'again.csv');
    expect(await exportApproved(f.db.db, { since: TODAY, out: again })).toEqual({
      rows: 7,
      submissions: 2,
      proposals: 1,
      alreadyApplied: 2,
    });
    expect((await importText(f.db, next, TODAY, sealKey)).verificationsApplied).toBe(0);
    expect(existsSync(`${again}.tmp-${process.pid}`)).toBe(false);
  });

  it('marks a submission whose household the cycle removed as APPLIED when its outcome ends the household', async () => {
    const gone = idOf(
      await f.as('pemda-3201', SUBMIT, {
        input: {
          householdId: 'H3',
          outcome: 'DUPLICATE',
          visitedAt: daysAgo(1),
          idempotencyKey: key(),
          note: 'sama dengan H1',
        },
      }),
      'submitVerification',
    );
    await f.as('pemda-3201-review', REVIEW, { id: gone, decision: 'APPROVED' });
    const base = recentSnapshot();
    const withoutH3: SnapshotText = {
      households: base.households
        .split('\n')
        .filter((l) => !l.startsWith('H3,'))
        .join('\n'),
      members: base.members
        .split('\n')
        .filter((l) => !l.includes(',H3,'))
        .join('\n'),
      recipients: base.recipients,
    };
    const summary = await importText(
      f.db,
      withoutH3,
      TODAY,
      await loadOrCreateKeyFile(f.gateway.dataDir, SUBJECT_SEAL_KEY),
    );
    const { rows } = await f.db.pool.query<{ status: string; applied_snapshot_id: number }>(
      'SELECT status, applied_snapshot_id FROM verification_submission WHERE public_id = $1',
      [gone],
    );
    expect(rows[0]).toEqual({ status: 'APPLIED', applied_snapshot_id: summary.snapshotId });
  });

  it('writes only the header when nothing was approved since the date', async () => {
    const out = path.join(dir, 'empty.csv');
    const tomorrow = daysAgo(-1);
    expect(await exportApproved(f.db.db, { since: tomorrow, out })).toEqual({
      rows: 0,
      submissions: 0,
      proposals: 0,
      alreadyApplied: 0,
    });
    expect(await readFile(out, 'utf8')).toBe(EXPORT_COLUMNS.join(',') + '\n');
  });
});

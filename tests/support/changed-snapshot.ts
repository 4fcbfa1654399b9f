import { oracle, type Row } from './eligibility-oracle.js';
import { parseCsvRows } from './generated-snapshot.js';

/*
 * Two snapshots for change-feed tests: the second made by test code from the first's CSV rows, and
 * each indexed for the independent oracle (tests/support/eligibility-oracle.ts).
 */

export interface Snapshot {
  households: Map<string, Row>;
  members: Map<string, Row>;
  byHousehold: Map<string, Row[]>;
}

export function index(texts: { households: string; members: string }): Snapshot {
  const households = new Map(parseCsvRows(texts.households).map((h) => [h.household_id!, h]));
  const rows = parseCsvRows(texts.members);
  const byHousehold = new Map<string, Row[]>();
  for (const m of rows)
    byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
  return { households, members: new Map(rows.map((m) => [m.nik!, m])), byHousehold };
}

export function reasonIn(s: Snapshot, program: string, nik: string, asOf: string): string {
  return oracle(program, nik, s.members, s.byHousehold, s.households, asOf);
}

/**
 * The second snapshot, made by test code from the first's rows: some households move across the
 * decile thresholds, some members die or move, some leave the registry (with their program lines).
 */
export function changeSnapshot(texts: { households: string; members: string; recipients: string }) {
  const households = parseCsvRows(texts.households);
  households.forEach((h, i) => {
    if (i % 9 === 0 && h.decile !== '' && Number(h.decile) <= 5) h.decile = '8';
    else if (i % 11 === 0 && h.decile !== '' && Number(h.decile) >= 6) h.decile = '1';
    else if (i % 37 === 0) h.decile = '';
  });
  const members = parseCsvRows(texts.members);
  const removed = new Set<string>();
  members.forEach((m, i) => {
    if (i % 23 === 0 && m.status === 'ACTIVE') m.status = 'DECEASED';
    else if (i % 29 === 0 && m.relationship !== 'HEAD') removed.add(m.nik!);
  });
  const recipients = parseCsvRows(texts.recipients).filter((r) => !removed.has(r.nik!));
  return {
    households: toCsv(texts.households, households),
    members: toCsv(
      texts.members,
      members.filter((m) => !removed.has(m.nik!)),
    ),
    recipients: toCsv(texts.recipients, recipients),
  };
}

function toCsv(original: string, rows: Row[]): string {
  const header = original.slice(0, original.indexOf('\n')).split(',');
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return (
    [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h] ?? '')).join(','))].join(
      '\n',
    ) + '\n'
  );
}

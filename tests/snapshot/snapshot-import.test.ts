import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotRejectedError } from '../../src/snapshot/problem-collector.js';
import { ImportInProgressError, importSnapshot } from '../../src/snapshot/snapshot-importer.js';
import {
  AS_OF,
  HOUSEHOLDS_HEADER,
  MEMBERS_HEADER,
  REGISTRY_INDEXES,
  importText,
  validSnapshot,
  withLine,
  type SnapshotText,
} from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

async function servedCounts(): Promise<{ households: number; persons: number; snapshots: number }> {
  const { rows } = await db.pool.query<{ households: number; persons: number; snapshots: number }>(
    `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM member)::int AS persons,
            (SELECT count(*) FROM snapshot)::int AS snapshots`,
  );
  return rows[0]!;
}

/** Imports and expects a refusal; returns the problems as `file:line:column: reason` strings. */
async function refusal(text: SnapshotText, asOf = AS_OF): Promise<string[]> {
  const error = await importText(db, text, asOf).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnapshotRejectedError);
  return (error as SnapshotRejectedError).problems.map(
    (p) => `${p.file}:${p.line}:${p.column ?? ''}: ${p.reason}`,
  );
}

describe('snapshot import', () => {
  it('loads a valid snapshot, keeps quoted text intact, and counts NIK/birth-date warnings', async () => {
    const summary = await importText(db, validSnapshot());
    expect(summary).toMatchObject({
      asOf: AS_OF,
      households: 3,
      persons: 5,
      recipients: 2,
      warnings: { nikBirthDateMismatch: 1 },
    });
    const { rows } = await db.pool.query<{ address: string }>(
      "SELECT address FROM household WHERE household_id = 'H2'",
    );
    expect(rows[0]!.address).toBe('Gang "Mawar" 7\nblok C');
    const snapshot = await db.pool.query(
      'SELECT as_of, households, persons, warnings FROM snapshot',
    );
    expect(snapshot.rows).toEqual([
      { as_of: AS_OF, households: 3, persons: 5, warnings: { nikBirthDateMismatch: 1 } },
    ]);
  });

  it('gives the served tables their keys and indexes back after the swap', async () => {
    const { rows } = await db.pool.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename IN ('household', 'member', 'program_recipient')
        ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual([...REGISTRY_INDEXES, 'program_recipient_pkey']);
    const leftovers = await db.pool.query(
      "SELECT 1 FROM pg_tables WHERE tablename LIKE '%\\_next'",
    );
    expect(leftovers.rowCount).toBe(0);
  });

  const base = validSnapshot();
  const cases: Array<[string, SnapshotText, string]> = [
    [
      'an unknown header column',
      {
        ...base,
        members: withLine(base.members, 1, MEMBERS_HEADER.replace('in_school', 'inschool')),
      },
      'members.csv:1:inschool: unknown column',
    ],
    [
      'a missing required column',
      { ...base, households: dropColumn(base.households, 'verification_status') },
      'households.csv:1:verification_status: required column is missing',
    ],
    [
      'a NIK that is not 16 digits',
      {
        ...base,
        members: withLine(
          base.members,
          3,
          '320101550882900,H1,Siti Aminah,F,1982-08-15,SPOUSE,true,NONE,false,ACTIVE',
        ),
      },
      'members.csv:3:nik: NIK must be exactly 16 digits',
    ],
    [
      'a NIK with letters',
      {
        ...base,
        members: withLine(
          base.members,
          3,
          '32010155088290AB,H1,Siti Aminah,F,1982-08-15,SPOUSE,true,NONE,false,ACTIVE',
        ),
      },
      'members.csv:3:nik: NIK must be exactly 16 digits',
    ],
    [
      'a NIK whose province does not exist',
      {
        ...base,
        members: withLine(
          base.members,
          3,
          '9901015508829002,H1,Siti Aminah,F,1982-08-15,SPOUSE,true,NONE,false,ACTIVE',
        ),
      },
      'members.csv:3:nik: NIK starts with a province code that does not exist',
    ],
    [
      'a duplicate NIK',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201011505809001,H1,Ahmad,M,2015-01-01,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:nik: NIK appears more than once (first at line 2)',
    ],
    [
      'a member of an unknown household',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H9,Ahmad,M,2015-01-01,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:household_id: household_id not found in households.csv',
    ],
    [
      'a duplicate household_id',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H1,3201010303189003,3201011002,,9,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      // H2's address spans two lines, so H3's record starts on line 5.
      'households.csv:5:household_id: household_id appears more than once (first at line 2)',
    ],
    [
      'an unknown village code',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201019999,,9,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:region_code: village code not in the region reference',
    ],
    [
      'a district code where a village code belongs',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,320101,,9,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:region_code: region code must be a 10-digit village code',
    ],
    [
      'decile 11',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201011002,,11,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:decile: decile must be a whole number from 1 to 10',
    ],
    [
      'decile 0',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201011002,,0,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:decile: decile must be a whole number from 1 to 10',
    ],
    [
      'an unparseable birth date',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,2015-02-30,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:birth_date: not a date (YYYY-MM-DD)',
    ],
    [
      'a birth date written another way',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,01/01/2015,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:birth_date: not a date (YYYY-MM-DD)',
    ],
    [
      'a birth date after the as-of date',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,2026-07-01,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      `members.csv:4:birth_date: date is after the snapshot's as-of date ${AS_OF}`,
    ],
    [
      'an empty required value',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,,M,2015-01-01,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:name: required value is empty',
    ],
    [
      'an unknown enum code',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,2015-01-01,SON,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:relationship: unknown code; expected one of HEAD, SPOUSE, CHILD, PARENT, OTHER',
    ],
    [
      'an unknown housing code',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201011002,,9,,GOLD,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:floor_type: unknown code; expected one of MARBLE_GRANITE, CERAMIC, PARQUET_VINYL, TERRAZZO_TILE, HIGH_QUALITY_WOOD, CEMENT_BRICK, BAMBOO, LOW_QUALITY_WOOD, EARTH, OTHER',
    ],
    [
      'a boolean written as 1',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,2015-01-01,CHILD,false,NONE,1,ACTIVE',
        ),
      },
      'members.csv:4:in_school: must be true or false',
    ],
    [
      'a KK number of 15 digits',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,320101030318900,3201011002,,9,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:kk_number: must be exactly 16 digits',
    ],
    [
      'a negative floor area',
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201011002,,9,-4,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:floor_area_m2: must be a number of at least 0 with at most 2 decimals',
    ],
    [
      'a row with a missing value',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ahmad,M,2015-01-01,CHILD,false,NONE,true',
        ),
      },
      'members.csv:4:: has 9 values, the header has 10',
    ],
    [
      'a stray quote',
      {
        ...base,
        members: withLine(
          base.members,
          4,
          '3201010101159003,H1,Ah"mad,M,2015-01-01,CHILD,false,NONE,true,ACTIVE',
        ),
      },
      'members.csv:4:: quote inside an unquoted field',
    ],
    [
      "PostgreSQL's end-of-data marker as a value",
      {
        ...base,
        households: withLine(
          base.households,
          5,
          'H3,3201010303189003,3201011002,\\.,9,,,,,,,,,REJECTED,,MUSDES',
        ),
      },
      'households.csv:5:address: the value \\. is not allowed',
    ],
    [
      'a recipient who is not a member',
      { ...base, recipients: withLine(base.recipients!, 3, '3201010101159099,PBI_JK,') },
      'program_recipients.csv:3:nik: NIK not found in members.csv',
    ],
    [
      'an unknown program',
      { ...base, recipients: withLine(base.recipients!, 3, '3201015508829002,BLT,') },
      'program_recipients.csv:3:program: unknown program; expected one of PKH, BPNT, PBI_JK, PIP',
    ],
    [
      'a recipient listed twice for one program',
      { ...base, recipients: withLine(base.recipients!, 3, '3201011505809001,PKH,2021-01-01') },
      'program_recipients.csv:3:program: this NIK and program appears more than once (first at line 2)',
    ],
    [
      'an empty members file',
      { ...base, members: '' },
      'members.csv:1:: file is empty (a header row is required)',
    ],
  ];

  it.each(cases)(
    'refuses %s, names file, line and column, and leaves the served snapshot as it was',
    async (_name, text, expected) => {
      const before = await servedCounts();
      expect(await refusal(text)).toEqual([expected]);
      expect(await servedCounts()).toEqual(before);
    },
  );

  it('reports every problem of a snapshot at once, in file and line order', async () => {
    const text = {
      ...base,
      households: withLine(
        base.households,
        5,
        'H3,3201010303189003,3201011002,,12,,,,,,,,,MAYBE,,MUSDES',
      ),
      members: withLine(
        base.members,
        3,
        '99010155088290,H1,,F,1982-08-15,SPOUSE,true,NONE,false,ACTIVE',
      ),
    };
    expect(await refusal(text)).toEqual([
      'households.csv:5:decile: decile must be a whole number from 1 to 10',
      'households.csv:5:verification_status: unknown code; expected one of VERIFIED, PENDING, REJECTED',
      'members.csv:3:nik: NIK must be exactly 16 digits',
      'members.csv:3:name: required value is empty',
    ]);
  });

  it('maps rows back to their lines across blank lines and multi-line values', async () => {
    const members = validSnapshot().members.split('\n');
    // Blank lines after line 2 and 4; the duplicate of line 2's NIK ends up on line 8.
    const text = {
      ...base,
      members: [
        ...members.slice(0, 2),
        '',
        ...members.slice(2, 3),
        '',
        ...members.slice(3),
        '3201011505809001,H3,Dup,M,1980-05-15,OTHER,false,NONE,false,ACTIVE',
      ].join('\n'),
    };
    expect(await refusal(text)).toEqual([
      'members.csv:9:nik: NIK appears more than once (first at line 2)',
    ]);
  });

  it('stores quoted and unquoted empty values alike as null', async () => {
    const text = {
      ...base,
      households: withLine(
        base.households,
        5,
        'H3,3201010303189003,3201011002,"",9,"",,,,,,,,REJECTED,"",MUSDES',
      ),
    };
    await importText(db, text);
    const { rows } = await db.pool.query(
      "SELECT address, floor_area_m2, verified_at FROM household WHERE household_id = 'H3'",
    );
    expect(rows).toEqual([{ address: null, floor_area_m2: null, verified_at: null }]);
  });

  it('lists at most 100 problems and counts the rest', async () => {
    const bad = Array.from(
      { length: 150 },
      (_, i) => `H${100 + i},123,3201011001,,,,,,,,,,,VERIFIED,,BPS`,
    );
    const text = { ...base, households: [HOUSEHOLDS_HEADER, ...bad].join('\n') };
    const error = (await importText(db, text).catch((e: unknown) => e)) as SnapshotRejectedError;
    expect(error.problems).toHaveLength(100);
    expect(error.total).toBe(150);
    expect(error.problems[0]).toEqual({
      file: 'households.csv',
      line: 2,
      column: 'kk_number',
      reason: 'must be exactly 16 digits',
    });
  });

  it('accepts a snapshot without program_recipients.csv, and CRLF line ends', async () => {
    const text = {
      households: base.households.replace(/\n(?=H)/g, '\r\n'),
      members: base.members.replace(/\n/g, '\r\n'),
      recipients: null,
    };
    const summary = await importText(db, text);
    expect(summary).toMatchObject({ households: 3, persons: 5, recipients: 0 });
  });

  it('keeps serving the previous snapshot until the new one commits, and allows one import at a time', async () => {
    await importText(db, validSnapshot());
    const slow = new PassThrough();
    const members = validSnapshot().members.split('\n');
    slow.write(members.slice(0, 3).join('\n') + '\n');
    const running = importSnapshot(
      db,
      {
        household: Readable.from([smaller().households]),
        member: slow,
        program_recipient: null,
        label: 'slow',
      },
      { asOf: AS_OF },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await servedCounts()).toMatchObject({ households: 3, persons: 5 });
    await expect(importText(db, validSnapshot())).rejects.toBeInstanceOf(ImportInProgressError);
    slow.end();
    const summary = await running;
    expect(summary).toMatchObject({ households: 1, persons: 2 });
    expect(await servedCounts()).toMatchObject({ households: 1, persons: 2 });
  });
});

function smaller(): SnapshotText {
  const v = validSnapshot();
  return { ...v, households: v.households.split('\n').slice(0, 2).join('\n') };
}

function dropColumn(csv: string, column: string): string {
  const lines = csv.split('\n');
  const at = lines[0]!.split(',').indexOf(column);
  return [
    lines[0]!
      .split(',')
      .filter((_, i) => i !== at)
      .join(','),
    lines[1]!
      .split(',')
      .filter((_, i) => i !== at + 1)
      .join(','),
  ].join('\n');
}

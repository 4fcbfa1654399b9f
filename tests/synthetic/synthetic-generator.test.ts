import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvParser } from '../../src/csv/csv-parser.js';
import { compileRowValidator, mapHeader } from '../../src/snapshot/row-validator.js';
import {
  HOUSEHOLDS_FILE,
  MEMBERS_FILE,
  RECIPIENTS_FILE,
  type SnapshotFileSpec,
} from '../../src/domain/snapshot-format.js';
import {
  readPopulation,
  readRegions,
  type PopulationRow,
  type RegionRow,
} from '../../src/domain/region-reference.js';
import {
  generateSnapshot,
  writeSnapshotToDir,
  type GenerateSummary,
} from '../../src/synthetic/generator.js';
import { ageInYears } from '../../src/domain/dates.js';
import { nikMatchesBirthDate } from '../../src/domain/nik.js';

const AS_OF = '2025-06-30';
const PERSONS = 20_000;

interface Snapshot {
  households: string;
  members: string;
  recipients: string;
  summary: GenerateSummary;
}

/** A sink collecting everything written; `slow` acknowledges asynchronously with a tiny buffer. */
function sink(slow = false): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: slow ? 1024 : 16 * 1024,
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      if (slow) setImmediate(cb);
      else cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

let regions: RegionRow[];
let population: PopulationRow[];

async function generate(
  persons: number,
  seed: number | string,
  opts: { slow?: boolean; onProgress?: (n: number) => void } = {},
): Promise<Snapshot> {
  const [h, m, r] = [sink(opts.slow), sink(opts.slow), sink(opts.slow)];
  const summary = await generateSnapshot(
    { persons, seed, asOf: AS_OF, regions, population, onProgress: opts.onProgress },
    { households: h.stream, members: m.stream, recipients: r.stream },
  );
  await Promise.all([finished(h.stream), finished(m.stream), finished(r.stream)]);
  return { households: h.text(), members: m.text(), recipients: r.text(), summary };
}

function parse(text: string): string[][] {
  const parser = new CsvParser();
  const rows = [...parser.push(text), ...parser.end()].map((r) => r.fields);
  expect(parser.errors).toEqual([]);
  return rows;
}

interface Household {
  id: string;
  kk: string;
  village: string;
  decile: number | null;
  floor: string;
  cooking: string;
  status: string;
  members: Member[];
}
interface Member {
  nik: string;
  householdId: string;
  name: string;
  sex: 'M' | 'F';
  birth: string;
  age: number;
  rel: string;
  pregnant: boolean;
  disability: string;
  inSchool: boolean;
  status: string;
}

let snap: Snapshot;
let hhRows: string[][];
let memberRows: string[][];
let recipientRows: string[][];
let households: Map<string, Household>;
let members: Member[];
let niks: Map<string, Member>;

beforeAll(async () => {
  regions = await readRegions();
  population = await readPopulation();
  snap = await generate(PERSONS, 'vitest');
  hhRows = parse(snap.households);
  memberRows = parse(snap.members);
  recipientRows = parse(snap.recipients);
  households = new Map();
  for (const f of hhRows.slice(1)) {
    households.set(f[0]!, {
      id: f[0]!,
      kk: f[1]!,
      village: f[2]!,
      decile: f[4] === '' ? null : Number(f[4]),
      floor: f[6]!,
      cooking: f[12]!,
      status: f[13]!,
      members: [],
    });
  }
  members = memberRows.slice(1).map((f) => ({
    nik: f[0]!,
    householdId: f[1]!,
    name: f[2]!,
    sex: f[3] as 'M' | 'F',
    birth: f[4]!,
    age: ageInYears(f[4]!, AS_OF),
    rel: f[5]!,
    pregnant: f[6] === 'true',
    disability: f[7]!,
    inSchool: f[8] === 'true',
    status: f[9]!,
  }));
  niks = new Map(members.map((m) => [m.nik, m]));
  for (const m of members) households.get(m.householdId)?.members.push(m);
});

const share = (n: number, d: number) => n / d;

describe('synthetic snapshot generator', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await generate(3_000, 7);
    const b = await generate(3_000, '7'); // a number and its text are the same seed
    const c = await generate(3_000, 8);
    expect(b.households).toBe(a.households);
    expect(b.members).toBe(a.members);
    expect(b.recipients).toBe(a.recipients);
    expect(c.members).not.toBe(a.members);
    expect(c.households).not.toBe(a.households);
  });

  it('honours backpressure: a slow consumer gets the same bytes', async () => {
    const fast = await generate(3_000, 'bp');
    const slow = await generate(3_000, 'bp', { slow: true });
    expect(slow.households).toBe(fast.households);
    expect(slow.members).toBe(fast.members);
    expect(slow.recipients).toBe(fast.recipients);
  });

  it('writes the same bytes to a directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtks-synthetic-'));
    try {
      const target = path.join(dir, 'nested', 'snapshot');
      const summary = await writeSnapshotToDir(
        { persons: 2_000, seed: 'dir', asOf: AS_OF, regions, population },
        target,
      );
      const memory = await generate(2_000, 'dir');
      expect(summary).toEqual(memory.summary);
      const read = (spec: SnapshotFileSpec) => readFile(path.join(target, spec.file), 'utf8');
      expect(await read(HOUSEHOLDS_FILE)).toBe(memory.households);
      expect(await read(MEMBERS_FILE)).toBe(memory.members);
      expect(await read(RECIPIENTS_FILE)).toBe(memory.recipients);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails, rather than hangs, when an output stream breaks, and ends the others', async () => {
    const [h, r] = [sink(), sink()];
    let written = 0;
    const members = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, cb) {
        written++;
        setImmediate(() => cb(written >= 3 ? new Error('disk full') : null));
      },
    });
    await expect(
      generateSnapshot(
        { persons: 50_000, seed: 1, asOf: AS_OF, regions, population },
        { households: h.stream, members, recipients: r.stream },
      ),
    ).rejects.toThrow('disk full');
    expect(h.stream.destroyed).toBe(true);
    expect(r.stream.destroyed).toBe(true);
  });

  it('refuses bad options', async () => {
    const out = () => ({
      households: sink().stream,
      members: sink().stream,
      recipients: sink().stream,
    });
    const base = { seed: 1, regions, population };
    await expect(generateSnapshot({ ...base, persons: -1, asOf: AS_OF }, out())).rejects.toThrow(
      'persons',
    );
    await expect(
      generateSnapshot({ ...base, persons: 10, asOf: '2025-02-30' }, out()),
    ).rejects.toThrow('asOf');
  });

  it('writes exactly the target number of persons, reports progress and counts right', async () => {
    expect(snap.summary.persons).toBe(PERSONS);
    expect(members.length).toBe(PERSONS);
    expect(snap.summary.households).toBe(households.size);
    expect(snap.summary.recipients).toBe(recipientRows.length - 1);
    const seen: number[] = [];
    const small = await generate(25_001, 'progress', { onProgress: (n) => seen.push(n) });
    expect(small.summary.persons).toBe(25_001);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(25_001);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    const empty = await generate(0, 'none');
    expect(empty.summary).toEqual({
      households: 0,
      persons: 0,
      recipients: 0,
      nikBirthDateMismatches: 0,
    });
    expect(empty.members).toBe(MEMBERS_FILE.columns.map((c) => c.name).join(',') + '\n');
  });

  it("writes the spec's headers and rows that pass the importer's row validator", () => {
    const refs = {
      villageCodes: new Set(regions.filter((r) => r.level === 4).map((r) => r.code)),
      provinceCodes: new Set(regions.filter((r) => r.level === 1).map((r) => r.code)),
      asOf: AS_OF,
    };
    const check = (spec: SnapshotFileSpec, rows: string[][]): number => {
      const header = rows[0]!;
      expect(header).toEqual(spec.columns.map((c) => c.name));
      const { indexes, problems } = mapHeader(spec, header);
      expect(problems).toEqual([]);
      const validate = compileRowValidator(spec, indexes, refs, header.length);
      let mismatches = 0;
      const bad: unknown[] = [];
      rows.slice(1).forEach((fields, i) => {
        const result = validate({ line: i + 2, fields });
        if (result.problems.length > 0 && bad.length < 5) bad.push(result.problems);
        if (result.nikBirthDateMismatch) mismatches++;
      });
      expect(bad).toEqual([]);
      return mismatches;
    };
    check(HOUSEHOLDS_FILE, hhRows);
    const mismatches = check(MEMBERS_FILE, memberRows);
    check(RECIPIENTS_FILE, recipientRows);
    // The injected data-quality share: ~0.3% of NIKs, counted the same way by the importer.
    expect(mismatches).toBe(snap.summary.nikBirthDateMismatches);
    expect(mismatches).toBeGreaterThan(0);
    expect(share(mismatches, PERSONS)).toBeLessThan(0.01);
  });

  it('quotes fields per RFC 4180 (addresses contain commas)', () => {
    const addresses = hhRows.slice(1).map((f) => f[3]!);
    expect(addresses.every((a) => a.includes(', RT '))).toBe(true);
    expect(snap.households).toContain('"Jl. ');
    expect(addresses.some((a) => a.includes('"'))).toBe(true); // written as "" inside quotes
    expect(members.some((m) => m.name.includes("'"))).toBe(true);
  });

  it('issues well-formed, unique NIKs and KK numbers', () => {
    const districts = new Set(regions.filter((r) => r.level === 3).map((r) => r.code));
    const wellFormed = (id: string) =>
      /^\d{16}$/.test(id) && districts.has(id.slice(0, 6)) && Number(id.slice(12)) >= 9000;
    expect(niks.size).toBe(members.length);
    expect(members.filter((m) => !wellFormed(m.nik)).map((m) => m.nik)).toEqual([]);
    const mismatched = members.filter((m) => !nikMatchesBirthDate(m.nik, m.birth, m.sex));
    expect(mismatched.length).toBe(snap.summary.nikBirthDateMismatches);
    expect(share(mismatched.length, members.length)).toBeLessThan(0.01);
    // Stated range: 6–18% of NIKs issued outside the district of residence.
    const home = (m: Member) => households.get(m.householdId)!.village.slice(0, 6);
    const outside = share(members.filter((m) => m.nik.slice(0, 6) !== home(m)).length, PERSONS);
    expect(outside).toBeGreaterThan(0.06);
    expect(outside).toBeLessThan(0.18);
    // Some are issued in another province altogether.
    expect(members.some((m) => m.nik.slice(0, 2) !== home(m).slice(0, 2))).toBe(true);

    const hs = [...households.values()];
    expect(hs.filter((h) => !wellFormed(h.kk)).map((h) => h.kk)).toEqual([]);
    // The KK is issued where the family lives.
    expect(hs.filter((h) => h.kk.slice(0, 6) !== h.village.slice(0, 6))).toEqual([]);
    expect(new Set(hs.map((h) => h.kk)).size).toBe(hs.length);
    expect(hs[0]!.id).toBe('H000000001');
  });

  it('keeps households, members and recipients consistent', () => {
    expect(members.filter((m) => !households.has(m.householdId))).toEqual([]);
    const hs = [...households.values()];
    expect(hs.filter((h) => h.members.length === 0)).toEqual([]);
    expect(hs.filter((h) => h.members.filter((m) => m.rel === 'HEAD').length !== 1)).toEqual([]);
    const pairs = new Set<string>();
    const wrong: string[][] = [];
    for (const row of recipientRows.slice(1)) {
      const [nik, program, since] = row as [string, string, string];
      const m = niks.get(nik);
      const householdProgram = program === 'PKH' || program === 'BPNT';
      if (
        !m ||
        m.status !== 'ACTIVE' ||
        (householdProgram && m.rel !== 'HEAD') ||
        since < m.birth
      ) {
        wrong.push(row);
      }
      pairs.add(`${nik}/${program}`);
    }
    expect(wrong).toEqual([]);
    expect(pairs.size).toBe(recipientRows.length - 1);
  });

  it('ranks households into national deciles with household size falling with decile', () => {
    const ranked = [...households.values()].filter((h) => h.decile !== null);
    const unranked = households.size - ranked.length;
    expect(share(unranked, households.size)).toBeGreaterThan(0.01);
    expect(share(unranked, households.size)).toBeLessThan(0.035);
    for (let d = 1; d <= 10; d++) {
      const n = ranked.filter((h) => h.decile === d).length;
      expect(share(n, ranked.length)).toBeGreaterThan(0.05);
      expect(share(n, ranked.length)).toBeLessThan(0.15);
    }
    const meanSize = (lo: number, hi: number) => {
      const hs = ranked.filter((h) => h.decile! >= lo && h.decile! <= hi);
      return hs.reduce((s, h) => s + h.members.length, 0) / hs.length;
    };
    expect(meanSize(1, 2)).toBeGreaterThan(meanSize(9, 10) + 0.8);
    // Housing follows welfare: earth floors and firewood are far commoner at the bottom.
    const poorShare = (pred: (h: Household) => boolean, lo: number, hi: number) => {
      const hs = ranked.filter((h) => h.decile! >= lo && h.decile! <= hi);
      return share(hs.filter(pred).length, hs.length);
    };
    const firewood = (h: Household) => h.cooking === 'FIREWOOD';
    const earthy = (h: Household) => ['EARTH', 'BAMBOO', 'LOW_QUALITY_WOOD'].includes(h.floor);
    expect(poorShare(firewood, 1, 2)).toBeGreaterThan(3 * poorShare(firewood, 9, 10));
    expect(poorShare(earthy, 1, 2)).toBeGreaterThan(3 * poorShare(earthy, 9, 10));
  });

  it('has plausible people and the awkward cases a registry has', () => {
    expect(members.filter((m) => m.age < 0 || m.age > 100)).toEqual([]);
    expect(members.some((m) => m.age === 0)).toBe(true);
    expect(members.filter((m) => m.age < 6).length).toBeGreaterThan(0.05 * PERSONS);
    expect(members.filter((m) => m.age >= 60).length).toBeGreaterThan(0.05 * PERSONS);
    const primary = members.filter((m) => m.status === 'ACTIVE' && m.age >= 7 && m.age <= 12);
    expect(share(primary.filter((m) => m.inSchool).length, primary.length)).toBeGreaterThan(0.9);
    const older = members.filter((m) => m.status === 'ACTIVE' && m.age >= 16 && m.age <= 18);
    const olderInSchool = share(older.filter((m) => m.inSchool).length, older.length);
    expect(olderInSchool).toBeGreaterThan(0.5);
    expect(olderInSchool).toBeLessThan(0.9);
    const women = members.filter((m) => m.sex === 'F' && m.age >= 18 && m.age <= 45);
    const pregnant = share(women.filter((m) => m.pregnant).length, women.length);
    expect(pregnant).toBeGreaterThan(0.02);
    expect(pregnant).toBeLessThan(0.07);
    expect(members.every((m) => !m.pregnant || (m.sex === 'F' && m.age >= 15 && m.age <= 49))).toBe(
      true,
    );
    const severe = share(members.filter((m) => m.disability === 'SEVERE').length, PERSONS);
    const mild = share(members.filter((m) => m.disability === 'MILD').length, PERSONS);
    expect(severe).toBeGreaterThan(0.005);
    expect(severe).toBeLessThan(0.03);
    expect(mild).toBeGreaterThan(0.02);
    expect(mild).toBeLessThan(0.07);

    const hs = [...households.values()];
    const status = (s: string) => share(hs.filter((h) => h.status === s).length, hs.length);
    expect(status('PENDING')).toBeGreaterThan(0.03);
    expect(status('PENDING')).toBeLessThan(0.07);
    expect(status('REJECTED')).toBeGreaterThan(0.01);
    expect(status('REJECTED')).toBeLessThan(0.035);
    const memberStatus = (s: string) =>
      share(members.filter((m) => m.status === s).length, PERSONS);
    expect(memberStatus('DECEASED')).toBeGreaterThan(0.015);
    expect(memberStatus('DECEASED')).toBeLessThan(0.035);
    expect(memberStatus('MOVED')).toBeGreaterThan(0.008);
    expect(memberStatus('MOVED')).toBeLessThan(0.025);
    const single = share(hs.filter((h) => h.members.length === 1).length, hs.length);
    expect(single).toBeGreaterThan(0.06);
    expect(single).toBeLessThan(0.15);
    const perVillage = new Map<string, number>();
    for (const h of hs) perVillage.set(h.village, (perVillage.get(h.village) ?? 0) + 1);
    expect([...perVillage.values()].some((n) => n === 1)).toBe(true);
    expect(Math.max(...perVillage.values())).toBeGreaterThan(5);
  });

  it('spreads households over the provinces by population', () => {
    const perProvince = new Map<string, number>();
    for (const h of households.values()) {
      const p = h.village.slice(0, 2);
      perProvince.set(p, (perProvince.get(p) ?? 0) + 1);
    }
    expect(perProvince.size).toBeGreaterThanOrEqual(30);
    const top3 = [...perProvince.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([p]) => p)
      .sort();
    expect(top3).toEqual(['32', '33', '35']);
  });

  it('gives programs to most eligible units and to a few ineligible ones', () => {
    const received = new Set(recipientRows.slice(1).map(([nik, program]) => `${nik}/${program}`));
    const tally = { eligible: 0, excluded: 0, ineligible: 0, included: 0 };
    const count = (eligible: boolean, gets: boolean) => {
      if (eligible) {
        tally.eligible++;
        if (!gets) tally.excluded++;
      } else {
        tally.ineligible++;
        if (gets) tally.included++;
      }
    };
    for (const h of households.values()) {
      const ranked = h.decile !== null && h.status !== 'REJECTED';
      const d = h.decile ?? 99;
      const active = h.members.filter((m) => m.status === 'ACTIVE');
      const component = active.some(
        (m) =>
          m.pregnant ||
          m.age <= 5 ||
          (m.age >= 6 && m.age <= 21 && m.inSchool) ||
          m.age >= 60 ||
          m.disability === 'SEVERE',
      );
      const head = h.members.find((m) => m.rel === 'HEAD')!;
      count(ranked && d <= 4 && component, received.has(`${head.nik}/PKH`));
      count(ranked && d <= 4, received.has(`${head.nik}/BPNT`));
      for (const m of active) {
        count(ranked && d <= 5, received.has(`${m.nik}/PBI_JK`));
        const pip = ranked && d <= 4 && m.age >= 6 && m.age <= 21 && m.inSchool;
        count(pip, received.has(`${m.nik}/PIP`));
      }
    }
    // Stated ranges: exclusion error 10–35% of eligible units, inclusion error 0.5–8% of ineligible ones.
    expect(share(tally.excluded, tally.eligible)).toBeGreaterThan(0.1);
    expect(share(tally.excluded, tally.eligible)).toBeLessThan(0.35);
    expect(share(tally.included, tally.ineligible)).toBeGreaterThan(0.005);
    expect(share(tally.included, tally.ineligible)).toBeLessThan(0.08);
  });
});

import DataLoader from 'dataloader';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  compileFieldPolicy,
  type CompiledFieldPolicy,
  type ResolvedRule,
} from '../../auth/field-policy.js';
import type { Agreement } from '../../auth/agreement.js';
import type { Principal } from '../../auth/principal.js';
import { restrictionScopeOf } from '../../auth/restriction-policy.js';
import { fieldsReadBy } from '../../auth/work-list-policy.js';
import { forbidden } from '../../errors/gateway-errors.js';
import type { Database } from '../database-types.js';
import {
  compileProjection,
  HOUSEHOLD_COLUMNS,
  PERSON_COLUMNS,
  householdRegionPredicate,
  SERVED_AS_OF_COLUMN,
  type RecordSelection,
} from './record-projection.js';
import { PREPARED } from '../prepared-statements.js';
import { notRestricted } from './restriction-sql.js';
import {
  afterPosition,
  filterConditions,
  orderBy,
  regionPrefix,
  type HouseholdFilter,
  type HouseholdOrder,
  type HouseholdPosition,
} from './work-list-sql.js';

export type { HouseholdFilter, HouseholdOrder, HouseholdPosition } from './work-list-sql.js';

/** A household as a client may see it; `_key` and `_niks` are internal and never exposed. */
export interface HouseholdRecord {
  id: string;
  kkNumber?: string | null;
  regionCode?: string | null;
  address?: string | null;
  decile?: number | null;
  verificationStatus?: string | null;
  verifiedAt?: string | null;
  /** The as-of date of the snapshot this record was read from (read in the same statement). */
  dataAsOf: string;
  _key: string;
  /** The household's province, the partition its members are in (migration 0032). */
  _province: string;
  /** The household's last verification date, for the position of a LAST_VERIFIED cursor. */
  _verifiedAt: string | null;
  /** Members' NIKs in clear, only to compute audit subject hashes; never returned. */
  _niks: string[];
}

/** A row of a work-list page: the household, and what the page read with it (internal). */
interface PageRow extends HouseholdRecord {
  _members?: PersonRecord[] | null;
  _total?: number;
}

/** A person as a client may see them; `_nik` and `_household` are internal. */
export interface PersonRecord {
  nik?: string | null;
  name?: string | null;
  sex?: string | null;
  birthDate?: string | null;
  relationship?: string | null;
  status?: string | null;
  /** Programs currently received (when the policy shows them). */
  programs?: string[] | null;
  /** The as-of date of the snapshot this record was read from (read in the same statement). */
  dataAsOf: string;
  _nik: string;
  _household: string;
}

interface Projections {
  householdSelect: RawBuilder<unknown>;
  personSelect: RawBuilder<unknown>;
}

interface CompiledAgreement extends Projections {
  policy: CompiledFieldPolicy;
  inScope: RawBuilder<unknown>;
  /** The same region scope, in the form the work-list indexes lead with. */
  workListScope: RawBuilder<unknown>;
  /** The projections of the selections seen so far (see `projectionsFor`). */
  bySelection: Map<string, Projections>;
}

/** Selections remembered per agreement; past this, a selection is compiled each time. */
const MAX_SELECTIONS_PER_AGREEMENT = 256;

/**
 * A person's own record with their household, every field in clear: what a data subjects'
 * service shows the person it has identified (CONTRACT §13). `_household` is internal.
 */
export interface OwnRecord {
  person: Required<Omit<PersonRecord, '_nik' | '_household'>>;
  household: Required<Omit<HouseholdRecord, '_key' | '_verifiedAt' | '_niks' | 'dataAsOf'>>;
  _household: string;
}

/** Every field of both record types shown: a person's own record (`ownRecord`). */
const OWN_RECORD_SELECT = (() => {
  const all = (columns: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.keys(columns).map((f) => [f, 'show' as const]));
  const policy = compileFieldPolicy({
    Person: all(PERSON_COLUMNS),
    Household: all(HOUSEHOLD_COLUMNS),
  });
  return {
    person: compileProjection(policy, 'Person'),
    household: compileProjection(policy, 'Household'),
  };
})();

/** Compiled once per agreement object (the principal resolver keeps it while it is current). */
const compiledAgreements = new WeakMap<Agreement, CompiledAgreement>();

function compiledFor(agreement: Agreement): CompiledAgreement {
  let compiled = compiledAgreements.get(agreement);
  if (!compiled) {
    const policy = compileFieldPolicy(agreement.fieldPolicy);
    compiled = {
      policy,
      householdSelect: compileProjection(policy, 'Household'),
      personSelect: compileProjection(policy, 'Person'),
      inScope: householdRegionPredicate(agreement.regionScope),
      workListScope: householdRegionPredicate(agreement.regionScope, regionPrefix),
      bySelection: new Map(),
    };
    compiledAgreements.set(agreement, compiled);
  }
  return compiled;
}

/** The projections of an agreement restricted to a selection, compiled once per selection. */
function projectionsFor(compiled: CompiledAgreement, selection: RecordSelection): Projections {
  const key = `${[...selection.Household].sort().join(',')}|${[...selection.Person].sort().join(',')}`;
  let projections = compiled.bySelection.get(key);
  if (!projections) {
    projections = {
      householdSelect: compileProjection(compiled.policy, 'Household', selection.Household),
      personSelect: compileProjection(compiled.policy, 'Person', selection.Person),
    };
    if (compiled.bySelection.size < MAX_SELECTIONS_PER_AGREEMENT) {
      compiled.bySelection.set(key, projections);
    }
  }
  return projections;
}

/** Called with the clear NIKs of every person a query disclosed (for the audit's subject hashes). */
export type SubjectSink = (niks: readonly string[]) => void;

/**
 * The one door to personal data: every read of households and members goes through here, and
 * this cannot be built without a principal. The principal's region scope is a SQL predicate on
 * every query and its field policy is the SQL projection, so a record outside the scope is never
 * read and a masked value is never read in clear. Out of scope and missing look the same: null;
 * so does a person whose processing is restricted for the request's purpose (restriction-sql.ts).
 * One instance per request (its DataLoaders batch and cache only within that request).
 */
export class ScopedRegistry {
  private readonly compiled: CompiledAgreement;
  private readonly policy: CompiledFieldPolicy;
  /** Narrowed to the operation's selection by `selectFields`; every policy field until then. */
  private householdSelect: RawBuilder<unknown>;
  private personSelect: RawBuilder<unknown>;
  private readonly inScope: RawBuilder<unknown>;
  private readonly workListScope: RawBuilder<unknown>;
  /** A member `m` is not restricted for this request's purpose (TRUE when none can stop it). */
  private readonly personVisible: RawBuilder<unknown>;
  /** The same for a member `q` of a work-list filter. */
  private readonly filterMemberVisible: RawBuilder<unknown>;
  /** No restriction of processing can stop this request's purpose: every member is read. */
  private readonly unrestricted: boolean;
  /** Members of households this registry read within the region scope (no scope join needed). */
  private readonly membersLoader: DataLoader<string, PersonRecord[]>;
  /** Members of a household known only by its key: the scope joined in, every policy field. */
  private readonly membersByKeyLoader: DataLoader<string, PersonRecord[]>;
  private readonly householdLoader: DataLoader<string, HouseholdRecord | null>;
  /** The households this registry has read within the region scope, with their provinces. */
  private readonly householdsInScope = new Map<string, string>();
  /** What a work-list page reads in its own statement besides the households (`selectFields`). */
  private pageReads = { members: false, totalCount: false };

  constructor(
    private readonly principal: Principal,
    private readonly db: Kysely<Database>,
    private readonly onSubjects: SubjectSink,
  ) {
    if (!principal) throw new Error('ScopedRegistry needs a principal');
    const compiled = compiledFor(principal.agreement);
    this.compiled = compiled;
    this.policy = compiled.policy;
    this.householdSelect = compiled.householdSelect;
    this.personSelect = compiled.personSelect;
    this.inScope = compiled.inScope;
    this.workListScope = compiled.workListScope;
    const restrictions = restrictionScopeOf(principal);
    this.personVisible = notRestricted(restrictions, sql`m.nik`);
    this.filterMemberVisible = notRestricted(restrictions, sql`q.nik`);
    this.unrestricted = restrictions === null;
    this.membersLoader = new DataLoader((keys) => this.loadMembersInScope(keys));
    this.membersByKeyLoader = new DataLoader((keys) =>
      this.loadMembers(keys, compiled.personSelect),
    );
    this.householdLoader = new DataLoader((keys) => this.loadHouseholds(keys));
  }

  /**
   * Reads only the record fields an operation selects from now on (the GraphQL door calls this
   * once the operation is known, before it runs). The policy still decides how each is read.
   * `membersOfHousehold` and `ownRecord`, which feed other answers, keep every field.
   */
  selectFields(selection: RecordSelection): void {
    const projections = projectionsFor(this.compiled, selection);
    this.householdSelect = projections.householdSelect;
    this.personSelect = projections.personSelect;
    this.pageReads = {
      members: selection.Household.has('members') && this.shows('Household', 'members'),
      totalCount: selection.HouseholdConnection.has('totalCount'),
    };
  }

  /** How this principal sees a field of a record type (for disclosure notes and audit). */
  fieldRule(type: 'Household' | 'Person', field: string): ResolvedRule {
    return this.policy.rule(type, field);
  }

  /** May this principal see this relation field at all (members, household)? */
  private shows(type: 'Household' | 'Person', field: string): boolean {
    return this.policy.rule(type, field).rule !== 'withhold';
  }

  async personByNik(nik: string): Promise<PersonRecord | null> {
    const { rows } = await sql<PersonRecord>`${PREPARED}
      SELECT ${this.personSelect} ${SERVED_AS_OF_COLUMN}, m.nik AS "_nik", m.household_id AS "_household"
        FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.nik = ${nik} AND ${this.inScope} AND ${this.personVisible}`.execute(this.db);
    this.onSubjects(rows.map((r) => r._nik));
    return rows[0] ?? null;
  }

  /**
   * A person's own record and household in clear, for a data subjects' service whose agreement
   * states that it verified the person's identity (CONTRACT §13); FORBIDDEN for anyone else. The
   * other members come through `membersOf`, under the agreement's field policy. Null when the
   * NIK is not in the served snapshot (or outside the region scope).
   */
  async ownRecord(nik: string): Promise<OwnRecord | null> {
    const { kind, agreement } = this.principal;
    if (kind !== 'SUBJECT_SERVICE' || !agreement.verifiesSubjectIdentity) {
      throw forbidden('only a data subjects’ service that verifies identity reads own records');
    }
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${OWN_RECORD_SELECT.person} ${OWN_RECORD_SELECT.household}
             ${SERVED_AS_OF_COLUMN}, h.household_id AS "id", m.household_id AS "_household"
        FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.nik = ${nik} AND ${this.inScope}`.execute(this.db);
    const row = rows[0];
    if (!row) return null;
    this.onSubjects([nik]);
    const pick = (columns: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.keys(columns).map((f) => [f, row[f] ?? null]));
    return {
      person: { ...pick(PERSON_COLUMNS), dataAsOf: row.dataAsOf } as OwnRecord['person'],
      household: { ...pick(HOUSEHOLD_COLUMNS), id: row.id } as OwnRecord['household'],
      _household: row._household as string,
    };
  }

  async householdById(id: string): Promise<HouseholdRecord | null> {
    // PostgreSQL text cannot hold NUL: such an id cannot exist, and must look like any other.
    if (id.includes('\u0000')) return null;
    return this.householdLoader.load(id);
  }

  /**
   * One page of a work list: the households of the region scope matching `filter`, in `order`,
   * after `after`. One row more than asked tells whether more exist.
   *
   * When the operation selects them (`selectFields`), the page's members and the list's total
   * come in the same statement: the members of each household as one JSON array (the same
   * projection, scope and restriction as `membersOf`, which is then answered from it), and the
   * count as an uncorrelated subquery that PostgreSQL runs once. One statement instead of three,
   * all from one snapshot. `totalCount` is absent on an empty page (no row to carry it).
   * `_niks` (every member's NIK, for the audit's subjects) comes from the members read when no
   * restriction can hide one for this purpose, and from its own subquery otherwise.
   */
  async householdPage(
    filter: HouseholdFilter,
    order: HouseholdOrder,
    first: number,
    after: HouseholdPosition | null,
  ): Promise<{ rows: HouseholdRecord[]; hasNextPage: boolean; totalCount?: number }> {
    const conditions = this.workListConditions(filter, order);
    const total = this.pageReads.totalCount
      ? sql`, (SELECT count(*)::int FROM household h
                WHERE ${sql.join([...conditions], sql` AND `)}) AS "_total"`
      : sql``;
    if (after !== null) conditions.push(afterPosition(order, after));
    const members = this.pageReads.members
      ? sql`, (SELECT json_agg(x ORDER BY x."_nik") FROM (
                 SELECT ${this.personSelect} m.nik AS "_nik", m.household_id AS "_household"
                   FROM member m
                  WHERE m.household_id = h.household_id AND m.province = h.province
                    AND ${this.personVisible}) x) AS "_members"`
      : sql``;
    // Members read unfiltered are every member: their NIKs are the household's, read once.
    const niksFromMembers = this.pageReads.members && this.unrestricted;
    const niks = niksFromMembers
      ? sql``
      : sql`, ARRAY(SELECT x.nik FROM member x
                     WHERE x.household_id = h.household_id AND x.province = h.province) AS "_niks"`;
    // The page's households are chosen first, from the sort and filter columns alone (an index
    // can answer that without reading the table), then read whole: only those are read, from
    // the partitions of the provinces the page can come from.
    const provinces = pageProvinces(this.principal.agreement.regionScope, filter.regionCode);
    const inProvinces = provinces ? sql`AND h.province = ANY(${provinces})` : sql``;
    const { rows } = await sql<PageRow>`
      SELECT ${this.householdSelect} h.household_id AS "id", h.household_id AS "_key",
             h.province AS "_province", h.verified_at AS "_verifiedAt", ${SERVED_AS_OF_COLUMN}
             ${niks} ${members} ${total}
        FROM (SELECT h.household_id AS k, h.province AS p FROM household h
               WHERE ${sql.join(conditions, sql` AND `)}
               ORDER BY ${orderBy(order)}
               LIMIT ${first + 1}) page
        JOIN household h ON h.household_id = page.k AND h.province = page.p ${inProvinces}
       ORDER BY ${orderBy(order)}`.execute(this.db);
    const totalCount = rows[0]?._total;
    const page = rows.slice(0, first);
    for (const row of page) {
      if (this.pageReads.members) {
        // `_niks` (every member, for the audit) holds the NIKs of the members read here.
        const people = row._members ?? [];
        for (const person of people) person.dataAsOf = row.dataAsOf;
        if (niksFromMembers) row._niks = people.map((p) => p._nik);
        this.membersLoader.prime(row._key, people);
      }
      delete row._members;
      delete row._total;
      this.householdLoader.prime(row._key, row);
      this.householdsInScope.set(row._key, row._province);
    }
    this.onSubjects(page.flatMap((r) => r._niks));
    return { rows: page, hasNextPage: rows.length > first, totalCount };
  }

  /**
   * The as-of date of the served snapshot (null before the first import), for an answer that
   * has no record to carry it (an empty work-list page).
   */
  async servedAsOf(): Promise<string | null> {
    const { rows } = await sql<{ dataAsOf: string | null }>`
      SELECT ${SERVED_AS_OF_COLUMN}`.execute(this.db);
    return rows[0]?.dataAsOf ?? null;
  }

  /**
   * The id of the household at `offset` (0-based) of the id-ordered work list matching `filter`,
   * or null past its end: where a page by number starts (DCI pagination). Nothing of the household
   * reaches the caller but the position, so nothing is disclosed.
   */
  async householdIdAt(filter: HouseholdFilter, offset: number): Promise<string | null> {
    const conditions = this.workListConditions(filter, 'ID');
    const { rows } = await sql<{ id: string }>`
      SELECT h.household_id AS id FROM household h
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY ${orderBy('ID')}
      OFFSET ${offset} LIMIT 1`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  /** How many households of the region scope match `filter` (one count statement). */
  async householdCount(filter: HouseholdFilter): Promise<number> {
    const conditions = this.workListConditions(filter, 'ID');
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM household h
       WHERE ${sql.join(conditions, sql` AND `)}`.execute(this.db);
    return rows[0]?.n ?? 0;
  }

  /**
   * The region scope and the filter's predicates; FORBIDDEN when the filter or the sort reads a
   * field this principal's agreement withholds (src/auth/work-list-policy.ts).
   */
  private workListConditions(
    filter: HouseholdFilter,
    order: HouseholdOrder,
  ): RawBuilder<unknown>[] {
    const { fields, unknown } = fieldsReadBy({ ...filter }, order);
    if (unknown !== null) throw forbidden(`the work-list filter ${unknown} is not available`);
    for (const field of fields) {
      const [type, name] = field.split('.') as ['Household' | 'Person', string];
      if (!this.shows(type, name)) {
        throw forbidden(`this filter or sort reads ${field}, which your agreement withholds`);
      }
    }
    const conditions = filterConditions(filter, this.filterMemberVisible);
    // A region filter inside the scope implies it: leaving the scope out lets PostgreSQL read the
    // filter's region alone (a district's few hundred households) instead of intersecting it with
    // the whole regency's index range. The filter is then the scope, only narrower.
    return withinScope(this.principal.agreement.regionScope, filter.regionCode)
      ? conditions
      : [this.workListScope, ...conditions];
  }

  /** The members of a household the client was given (null when the policy withholds members). */
  async membersOf(household: HouseholdRecord): Promise<PersonRecord[] | null> {
    if (!this.shows('Household', 'members')) return null;
    return this.householdsInScope.has(household._key)
      ? this.membersLoader.load(household._key)
      : this.membersByKeyLoader.load(household._key);
  }

  /**
   * The members of a household by its key (null when the policy withholds members), with every
   * field the policy gives, whatever the operation selected.
   */
  async membersOfHousehold(key: string): Promise<PersonRecord[] | null> {
    if (!this.shows('Household', 'members')) return null;
    return this.membersByKeyLoader.load(key);
  }

  /** The household of a person the client was given (null when withheld or out of scope). */
  async householdOf(person: PersonRecord): Promise<HouseholdRecord | null> {
    if (!this.shows('Person', 'household')) return null;
    return this.householdLoader.load(person._household);
  }

  /**
   * Members of households known to be in scope: no join with household to check it again, and
   * only the partitions of their provinces read.
   */
  private async loadMembersInScope(keys: readonly string[]): Promise<PersonRecord[][]> {
    const provinces = [...new Set(keys.map((k) => this.householdsInScope.get(k)!))];
    const { rows } = await sql<PersonRecord>`${PREPARED}
      SELECT ${this.personSelect} ${SERVED_AS_OF_COLUMN}, m.nik AS "_nik", m.household_id AS "_household"
        FROM member m
       WHERE m.household_id = ANY(${[...keys]}) AND m.province = ANY(${provinces})
         AND ${this.personVisible}
       ORDER BY m.household_id, m.nik`.execute(this.db);
    return this.byHousehold(keys, rows);
  }

  private async loadMembers(
    keys: readonly string[],
    select: RawBuilder<unknown>,
  ): Promise<PersonRecord[][]> {
    const { rows } = await sql<PersonRecord>`${PREPARED}
      SELECT ${select} ${SERVED_AS_OF_COLUMN}, m.nik AS "_nik", m.household_id AS "_household"
        FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       WHERE m.household_id = ANY(${[...keys]}) AND ${this.inScope} AND ${this.personVisible}
       ORDER BY m.household_id, m.nik`.execute(this.db);
    return this.byHousehold(keys, rows);
  }

  private byHousehold(keys: readonly string[], rows: PersonRecord[]): PersonRecord[][] {
    this.onSubjects(rows.map((r) => r._nik));
    const byHousehold = new Map<string, PersonRecord[]>(keys.map((k) => [k, []]));
    for (const row of rows) byHousehold.get(row._household)?.push(row);
    return keys.map((k) => byHousehold.get(k)!);
  }

  private async loadHouseholds(keys: readonly string[]): Promise<Array<HouseholdRecord | null>> {
    const { rows } = await sql<HouseholdRecord>`${PREPARED}
      SELECT ${this.householdSelect} h.household_id AS "id", h.household_id AS "_key",
             h.province AS "_province", h.verified_at AS "_verifiedAt", ${SERVED_AS_OF_COLUMN},
             ARRAY(SELECT x.nik FROM member x
                    WHERE x.household_id = h.household_id AND x.province = h.province) AS "_niks"
        FROM household h
       WHERE h.household_id = ANY(${[...keys]}) AND ${this.inScope}`.execute(this.db);
    this.onSubjects(rows.flatMap((r) => r._niks));
    for (const row of rows) this.householdsInScope.set(row._key, row._province);
    const byKey = new Map(rows.map((r) => [r._key, r]));
    return keys.map((k) => byKey.get(k) ?? null);
  }
}

/**
 * The provinces a work-list page's households can be in (null: any): the filter's region's, or
 * those of the scope's regions. PostgreSQL cannot carry them out of the page's subquery (it has
 * a LIMIT), so the statement names them again where it reads the chosen households whole.
 */
function pageProvinces(
  scope: readonly string[],
  regionCode: string | null | undefined,
): string[] | null {
  if (regionCode && regionCode.length >= 2) return [regionCode.slice(0, 2)];
  if (scope.includes('*')) return null;
  return [...new Set(scope.filter((p) => /^\d{2,10}$/.test(p)).map((p) => p.slice(0, 2)))];
}

/**
 * Whether every household of region `code` lies inside the region scope: the scope is the whole
 * country, or one of its prefixes (the forms `regionPredicate` accepts) begins `code`. Digits only,
 * so that `code` is a plain prefix wherever it is matched (`LIKE`).
 */
function withinScope(scope: readonly string[], code: string | null | undefined): boolean {
  if (!code || !/^\d+$/.test(code)) return false;
  if (scope.includes('*')) return true;
  return scope.some((p) => /^\d{2,10}$/.test(p) && code.startsWith(p));
}

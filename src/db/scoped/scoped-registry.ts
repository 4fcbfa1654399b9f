import DataLoader from 'dataloader';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  compileFieldPolicy,
  type CompiledFieldPolicy,
  type ResolvedRule,
} from '../../auth/field-policy.js';
import type { Agreement } from '../../auth/agreement.js';
import type { Principal } from '../../auth/principal.js';
import type { Database } from '../database-types.js';
import { compileProjection, regionPredicate } from './record-projection.js';

/** A household as a client may see it; `_key` and `_niks` are internal and never exposed. */
export interface HouseholdRecord {
  id: string;
  kkNumber?: string | null;
  regionCode?: string | null;
  address?: string | null;
  decile?: number | null;
  verificationStatus?: string | null;
  verifiedAt?: string | null;
  _key: string;
  /** Members' NIKs in clear, only to compute audit subject hashes; never returned. */
  _niks: string[];
}

/** A person as a client may see them; `_nik` and `_household` are internal. */
export interface PersonRecord {
  nik?: string | null;
  name?: string | null;
  sex?: string | null;
  birthDate?: string | null;
  relationship?: string | null;
  status?: string | null;
  _nik: string;
  _household: string;
}

export interface HouseholdFilter {
  /** Region-code prefix (province … village); intersected with the region scope. */
  regionCode?: string | null;
  decileMin?: number | null;
  decileMax?: number | null;
  verificationStatus?: string | null;
}

interface CompiledAgreement {
  policy: CompiledFieldPolicy;
  householdSelect: RawBuilder<unknown>;
  personSelect: RawBuilder<unknown>;
  inScope: RawBuilder<unknown>;
}

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
      inScope: regionPredicate(agreement.regionScope, 'h.region_code'),
    };
    compiledAgreements.set(agreement, compiled);
  }
  return compiled;
}

/** Called with the clear NIKs of every person a query disclosed (for the audit's subject hashes). */
export type SubjectSink = (niks: readonly string[]) => void;

/**
 * The one door to personal data: every read of households and members goes through here, and
 * this cannot be built without a principal. The principal's region scope is a SQL predicate on
 * every query and its field policy is the SQL projection, so a record outside the scope is never
 * read and a masked value is never read in clear. Out of scope and missing look the same: null.
 * One instance per request (its DataLoaders batch and cache only within that request).
 */
export class ScopedRegistry {
  private readonly policy: CompiledFieldPolicy;
  private readonly householdSelect: RawBuilder<unknown>;
  private readonly personSelect: RawBuilder<unknown>;
  private readonly inScope: RawBuilder<unknown>;
  private readonly membersLoader: DataLoader<string, PersonRecord[]>;
  private readonly householdLoader: DataLoader<string, HouseholdRecord | null>;

  constructor(
    private readonly principal: Principal,
    private readonly db: Kysely<Database>,
    private readonly onSubjects: SubjectSink,
  ) {
    if (!principal) throw new Error('ScopedRegistry needs a principal');
    const compiled = compiledFor(principal.agreement);
    this.policy = compiled.policy;
    this.householdSelect = compiled.householdSelect;
    this.personSelect = compiled.personSelect;
    this.inScope = compiled.inScope;
    this.membersLoader = new DataLoader((keys) => this.loadMembers(keys));
    this.householdLoader = new DataLoader((keys) => this.loadHouseholds(keys));
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
    const { rows } = await sql<PersonRecord>`
      SELECT ${this.personSelect} m.nik AS "_nik", m.household_id AS "_household"
        FROM member m JOIN household h ON h.household_id = m.household_id
       WHERE m.nik = ${nik} AND ${this.inScope}`.execute(this.db);
    this.onSubjects(rows.map((r) => r._nik));
    return rows[0] ?? null;
  }

  async householdById(id: string): Promise<HouseholdRecord | null> {
    // PostgreSQL text cannot hold NUL: such an id cannot exist, and must look like any other.
    if (id.includes('\u0000')) return null;
    return this.householdLoader.load(id);
  }

  /** One page of households in id order after `afterId`; one row more than asked tells if more exist. */
  async householdPage(
    filter: HouseholdFilter,
    first: number,
    afterId: string | null,
  ): Promise<{ rows: HouseholdRecord[]; hasNextPage: boolean }> {
    const conditions: RawBuilder<unknown>[] = [this.inScope];
    if (filter.regionCode) conditions.push(sql`h.region_code LIKE ${filter.regionCode + '%'}`);
    // Deciles run 1–10; a bound beyond is a plain bound (clamped to stay within smallint).
    const bound = (d: number) => Math.min(11, Math.max(0, d));
    if (filter.decileMin !== null && filter.decileMin !== undefined) {
      conditions.push(sql`h.decile >= ${bound(filter.decileMin)}`);
    }
    if (filter.decileMax !== null && filter.decileMax !== undefined) {
      conditions.push(sql`h.decile <= ${bound(filter.decileMax)}`);
    }
    if (filter.verificationStatus)
      conditions.push(sql`h.verification_status = ${filter.verificationStatus}`);
    if (afterId !== null) conditions.push(sql`h.household_id > ${afterId}`);
    const { rows } = await sql<HouseholdRecord>`
      SELECT ${this.householdSelect} h.household_id AS "id", h.household_id AS "_key",
             ARRAY(SELECT x.nik FROM member x WHERE x.household_id = h.household_id) AS "_niks"
        FROM household h
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY h.household_id
       LIMIT ${first + 1}`.execute(this.db);
    const page = rows.slice(0, first);
    for (const row of page) this.householdLoader.prime(row._key, row);
    this.onSubjects(page.flatMap((r) => r._niks));
    return { rows: page, hasNextPage: rows.length > first };
  }

  /** The members of a household the client was given (null when the policy withholds members). */
  async membersOf(household: HouseholdRecord): Promise<PersonRecord[] | null> {
    if (!this.shows('Household', 'members')) return null;
    return this.membersLoader.load(household._key);
  }

  /** The household of a person the client was given (null when withheld or out of scope). */
  async householdOf(person: PersonRecord): Promise<HouseholdRecord | null> {
    if (!this.shows('Person', 'household')) return null;
    return this.householdLoader.load(person._household);
  }

  private async loadMembers(keys: readonly string[]): Promise<PersonRecord[][]> {
    const { rows } = await sql<PersonRecord>`
      SELECT ${this.personSelect} m.nik AS "_nik", m.household_id AS "_household"
        FROM member m JOIN household h ON h.household_id = m.household_id
       WHERE m.household_id = ANY(${[...keys]}) AND ${this.inScope}
       ORDER BY m.household_id, m.nik`.execute(this.db);
    this.onSubjects(rows.map((r) => r._nik));
    const byHousehold = new Map<string, PersonRecord[]>(keys.map((k) => [k, []]));
    for (const row of rows) byHousehold.get(row._household)?.push(row);
    return keys.map((k) => byHousehold.get(k)!);
  }

  private async loadHouseholds(keys: readonly string[]): Promise<Array<HouseholdRecord | null>> {
    const { rows } = await sql<HouseholdRecord>`
      SELECT ${this.householdSelect} h.household_id AS "id", h.household_id AS "_key",
             ARRAY(SELECT x.nik FROM member x WHERE x.household_id = h.household_id) AS "_niks"
        FROM household h
       WHERE h.household_id = ANY(${[...keys]}) AND ${this.inScope}`.execute(this.db);
    this.onSubjects(rows.flatMap((r) => r._niks));
    const byKey = new Map(rows.map((r) => [r._key, r]));
    return keys.map((k) => byKey.get(k) ?? null);
  }
}

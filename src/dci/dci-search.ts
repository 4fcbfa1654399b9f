import type { Principal } from '../auth/principal.js';
import { criteriaFilter, type WorkListFilter } from './dci-criteria.js';
import type { SearchItem, SearchReasonCode } from './dci-envelope.js';

/**
 * DCI searches as GraphQL (docs/dci.md): the searches of one request become one operation of the
 * gateway's own schema, run with the request's context, so the gate, the field policy, the
 * batch limit, the quota and the audit are the ones every GraphQL client gets; nothing here
 * decides what may be seen. Ministries get eligibility decisions for each program of their
 * agreement; other clients the person or household as their records policy shows it.
 */

/** A search this gateway can answer, or why not (a `rjct` status for that search only). */
type Target =
  | { kind: 'nik'; nik: string | null }
  | { kind: 'household'; id: string }
  | { kind: 'conditions'; filter: WorkListFilter; size: number; page: number }
  | { kind: 'refused'; code: SearchReasonCode; message: string };

/** A page of a search by conditions: the work list's page size limit, and its default. */
export const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 50;

const NIK_RE = /^\d{16}$/;
const NIK_TYPES = new Set(['NIN', 'UIN', 'NIK']);

/** What one search asks for. A NIK that cannot exist (`TEST-001`) is a search that finds nothing. */
export function searchTarget(item: SearchItem): Target {
  const c = item.search_criteria;
  if (c.query_type !== 'idtype-value') {
    const size = c.pagination?.page_size ?? DEFAULT_PAGE_SIZE;
    const page = c.pagination?.page_number ?? 1;
    if (size > MAX_PAGE_SIZE) {
      return {
        kind: 'refused',
        code: 'rjct.pagination.invalid',
        message: `page_size is at most ${MAX_PAGE_SIZE}`,
      };
    }
    if (c.sort !== undefined && c.sort.length > 0) {
      return {
        kind: 'refused',
        code: 'rjct.sort.invalid',
        message: 'searches by conditions come in household id order; sort is not supported',
      };
    }
    const mapped = criteriaFilter(c.query_type, c.query);
    if ('refused' in mapped) {
      return { kind: 'refused', code: 'rjct.search_criteria.invalid', message: mapped.refused };
    }
    return { kind: 'conditions', filter: mapped.filter, size, page };
  }
  const q = c.query as { type?: unknown; value?: unknown } | null;
  if (!q || typeof q.type !== 'string' || typeof q.value !== 'string') {
    return {
      kind: 'refused',
      code: 'rjct.search_criteria.invalid',
      message: 'an idtype-value query is {"type": "NIN" | "UIN" | "HOUSEHOLD_ID", "value": "…"}',
    };
  }
  if (NIK_TYPES.has(q.type.toUpperCase())) {
    return { kind: 'nik', nik: NIK_RE.test(q.value) ? q.value : null };
  }
  if (q.type.toUpperCase() === 'HOUSEHOLD_ID') return { kind: 'household', id: q.value };
  return {
    kind: 'refused',
    code: 'rjct.search_criteria.invalid',
    message: 'idtype-value types are NIN or UIN (the NIK) and HOUSEHOLD_ID',
  };
}

const PERSON_FIELDS =
  'nik name sex birthDate relationship status programs dataAsOf household { id regionCode }';
const HOUSEHOLD_FIELDS =
  'id kkNumber address regionCode decile verificationStatus verifiedAt dataAsOf ' +
  'members { nik name sex birthDate relationship status }';
/**
 * A decision as its DCI record: GraphQL writes an answer's keys in the order its fields are asked
 * for, so these aliases, in JCS order, make each decision of the answer the record itself.
 */
const DECISION_FIELDS =
  'data_as_of: dataAsOf decision_id: decisionId eligible program reason ' +
  'rule_version: ruleVersion subject_ref: subjectRef';

/** One GraphQL operation answering every search of a request, and how to read its answer. */
export interface SearchPlan {
  query: string;
  variables: Record<string, unknown>;
  /** Per search: the refusal, or the records of the answer `data` (and its page, if paged). */
  items: Array<
    | { refused: { code: SearchReasonCode; message: string } }
    | {
        records(data: Record<string, unknown>): Array<Record<string, unknown>>;
        pagination?(data: Record<string, unknown>): {
          page_size: number;
          page_number: number;
          total_count: number;
        };
      }
  >;
}

/**
 * Where a page by number starts: the work-list cursor of the household just before it (the
 * `offset`-th, 0-based), or `beyond` when the list is shorter.
 */
export type PageStart = (filter: WorkListFilter, offset: number) => Promise<string | 'beyond'>;

/** Plans the GraphQL operation for the principal's kind of client. */
export async function planSearch(
  principal: Principal,
  items: readonly SearchItem[],
  pageStart: PageStart,
): Promise<SearchPlan> {
  const targets = items.map(searchTarget);
  if (principal.kind === 'MINISTRY') return planDecisions(principal, targets);
  const starts = await Promise.all(
    targets.map((t) =>
      t.kind === 'conditions' && t.page > 1
        ? pageStart(t.filter, (t.page - 1) * t.size - 1)
        : Promise.resolve(null),
    ),
  );
  return planRecords(targets, starts);
}

function planDecisions(principal: Principal, targets: Target[]): SearchPlan {
  const niks = [
    ...new Set(targets.flatMap((t) => (t.kind === 'nik' && t.nik !== null ? [t.nik] : []))),
  ];
  const position = new Map(niks.map((nik, i) => [nik, i]));
  const programs = principal.agreement.programs;
  const fields = programs.map(
    (p, i) => `d${i}: eligibilityBatch(niks: $niks, program: ${p}) { ${DECISION_FIELDS} }`,
  );
  return {
    query: niks.length > 0 ? `query DciSearch($niks: [NIK!]!) { ${fields.join(' ')} }` : '',
    variables: { niks },
    items: targets.map((t) => {
      if (t.kind === 'refused') return { refused: { code: t.code, message: t.message } };
      if (t.kind === 'household' || t.kind === 'conditions') {
        return {
          refused: {
            code: 'rjct.search_criteria.invalid',
            message: 'this agreement answers eligibility by NIK (NIN/UIN), not households',
          },
        };
      }
      const at = t.nik === null ? -1 : (position.get(t.nik) ?? -1);
      return {
        records: (data) =>
          at < 0
            ? []
            : programs.map((_, i) => (data[`d${i}`] as Array<Record<string, unknown>>)[at]!),
      };
    }),
  };
}

function planRecords(targets: Target[], starts: ReadonlyArray<string | null>): SearchPlan {
  const variables: Record<string, unknown> = {};
  const fields: string[] = [];
  const params: string[] = [];
  const items = targets.map((t, i): SearchPlan['items'][number] => {
    if (t.kind === 'refused') return { refused: { code: t.code, message: t.message } };
    if (t.kind === 'nik') {
      if (t.nik === null) return { records: () => [] };
      variables[`v${i}`] = t.nik;
      params.push(`$v${i}: NIK!`);
      fields.push(`r${i}: person(nik: $v${i}) { ${PERSON_FIELDS} }`);
      return { records: (data) => personRecords(data[`r${i}`]) };
    }
    if (t.kind === 'conditions') {
      const start = starts[i] ?? null;
      variables[`f${i}`] = t.filter;
      params.push(`$f${i}: HouseholdFilterInput`);
      const pagination = (data: Record<string, unknown>) => ({
        page_number: t.page,
        page_size: t.size,
        total_count: (data[`r${i}`] as { totalCount: number }).totalCount,
      });
      if (start === 'beyond') {
        // Past the end: only the count, so that no household is read (nor disclosed).
        fields.push(`r${i}: households(filter: $f${i}) { totalCount }`);
        return { records: () => [], pagination };
      }
      variables[`s${i}`] = t.size;
      variables[`a${i}`] = start;
      params.push(`$s${i}: Int!`, `$a${i}: String`);
      fields.push(
        `r${i}: households(filter: $f${i}, first: $s${i}, after: $a${i}) ` +
          `{ totalCount edges { node { ${HOUSEHOLD_FIELDS} } } }`,
      );
      return {
        records: (data) =>
          (data[`r${i}`] as { edges: Array<{ node: unknown }> }).edges.flatMap((e) =>
            householdRecords(e.node),
          ),
        pagination,
      };
    }
    variables[`v${i}`] = t.id;
    params.push(`$v${i}: ID!`);
    fields.push(`r${i}: household(id: $v${i}) { ${HOUSEHOLD_FIELDS} }`);
    return { records: (data) => householdRecords(data[`r${i}`]) };
  });
  return {
    query: fields.length > 0 ? `query DciSearch(${params.join(', ')}) { ${fields.join(' ')} }` : '',
    variables,
    items,
  };
}

/** A person as a DCI record: the NIK as its `identifier` (as the policy shows it). */
function personRecords(value: unknown): Array<Record<string, unknown>> {
  if (!value) return []; // not found, or out of region: the same answer
  const p = value as Record<string, unknown>;
  const household = p.household as { id: string; regionCode: string | null } | null;
  return [
    {
      birth_date: p.birthDate,
      data_as_of: p.dataAsOf,
      household_id: household?.id ?? null,
      identifier: { identifier_type: 'NIN', identifier_value: p.nik },
      name: p.name,
      programs: p.programs,
      region_code: household?.regionCode ?? null,
      relationship: p.relationship,
      sex: p.sex,
      status: p.status,
    },
  ];
}

function householdRecords(value: unknown): Array<Record<string, unknown>> {
  if (!value) return [];
  const h = value as Record<string, unknown>;
  const members = (h.members as Array<Record<string, unknown>> | null) ?? null;
  return [
    {
      address_text: h.address,
      data_as_of: h.dataAsOf,
      decile: h.decile,
      identifier: { identifier_type: 'HOUSEHOLD_ID', identifier_value: h.id },
      kk_number: h.kkNumber,
      members:
        members?.map((m) => ({
          birth_date: m.birthDate,
          member_identifier: { identifier_type: 'NIN', identifier_value: m.nik },
          name: m.name,
          relationship: m.relationship,
          sex: m.sex,
          status: m.status,
        })) ?? null,
      region_code: h.regionCode,
      verification_status: h.verificationStatus,
      verified_at: h.verifiedAt,
    },
  ];
}

import { isProgramCode } from '../domain/programs.js';

/**
 * `expression` and `predicate` queries as work-list filters (docs/dci.md "Queries by
 * condition"): a local government's DCI search by conditions runs as `households(filter: …)`, so
 * its region scope, its field policy (a filter on a withheld field is refused there) and the
 * audit are the work list's. Only what the work list can filter maps, and only conjunctions;
 * anything else is refused with a message naming the attribute or operator, never a value.
 */

/** The work-list filter (GraphQL `HouseholdFilterInput`) a query maps to. */
export interface WorkListFilter {
  regionCode?: string;
  decileMin?: number;
  decileMax?: number;
  program?: string;
  verificationStatus?: string;
  notVerifiedSince?: string;
  hasChildUnder6?: boolean;
  hasElderlyMember?: boolean;
  hasPregnantMember?: boolean;
  hasSevereDisability?: boolean;
}

export type CriteriaResult = { filter: WorkListFilter } | { refused: string };

type Operator = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

/** The attributes a query may name, and what each becomes. */
const BOOLEAN_ATTRIBUTES: Record<string, keyof WorkListFilter> = {
  has_child_under_6: 'hasChildUnder6',
  has_elderly_member: 'hasElderlyMember',
  has_pregnant_member: 'hasPregnantMember',
  has_severe_disability: 'hasSevereDisability',
};
const VERIFICATION_STATUSES = new Set(['PENDING', 'VERIFIED', 'REJECTED']);
export const CRITERIA_ATTRIBUTES = [
  'region_code',
  'decile',
  'program',
  'verification_status',
  'not_verified_since',
  ...Object.keys(BOOLEAN_ATTRIBUTES),
] as const;

const OPERATORS: Record<string, Operator> = {
  eq: 'eq',
  $eq: 'eq',
  lt: 'lt',
  $lt: 'lt',
  le: 'le',
  lte: 'le',
  $lte: 'le',
  gt: 'gt',
  $gt: 'gt',
  ge: 'ge',
  gte: 'ge',
  $gte: 'ge',
};

interface Condition {
  attribute: string;
  operator: string;
  value: unknown;
}

/** Reads an `expression` or `predicate` query into a work-list filter, or says why not. */
export function criteriaFilter(
  queryType: 'expression' | 'predicate',
  query: unknown,
): CriteriaResult {
  const conditions =
    queryType === 'expression' ? expressionConditions(query) : predicateConditions(query);
  if ('refused' in conditions) return conditions;
  const filter: WorkListFilter = {};
  for (const c of conditions.list) {
    const refused = apply(filter, c);
    if (refused) return { refused };
  }
  if (
    filter.decileMin !== undefined &&
    filter.decileMax !== undefined &&
    filter.decileMin > filter.decileMax
  ) {
    return { refused: 'the decile conditions exclude every household' };
  }
  return { filter };
}

/**
 * `{collection?, query: {$and: [{attr: {$op: value}}, …]}}`, also wrapped as the spec's
 * `{type, value: {expression: …}}`; several attributes in one object are a conjunction too, and
 * `{attr: value}` means equality.
 */
function expressionConditions(query: unknown): { list: Condition[] } | { refused: string } {
  let q = query as Record<string, unknown> | null;
  const wrapped = (q?.value as { expression?: unknown } | undefined)?.expression;
  if (wrapped !== undefined) q = wrapped as Record<string, unknown>;
  if (q && typeof q === 'object' && 'query' in q) {
    const collection = q.collection;
    if (collection !== undefined && collection !== 'Group') {
      return { refused: 'an expression searches the collection Group (households)' };
    }
    q = q.query as Record<string, unknown> | null;
  }
  if (!q || typeof q !== 'object' || Array.isArray(q)) {
    return { refused: 'an expression is {"collection": "Group", "query": {"$and": [...]}}' };
  }
  const list: Condition[] = [];
  const walk = (node: Record<string, unknown>): string | null => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and') {
        if (!Array.isArray(value)) return '$and takes a list of conditions';
        for (const part of value) {
          if (!part || typeof part !== 'object' || Array.isArray(part)) {
            return '$and takes a list of conditions';
          }
          const refused = walk(part as Record<string, unknown>);
          if (refused) return refused;
        }
      } else if (key.startsWith('$')) {
        return `${key.slice(0, 20)} cannot be mapped: only conjunctions ($and) of conditions`;
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [operator, operand] of Object.entries(value)) {
          list.push({ attribute: key, operator, value: operand });
        }
      } else {
        list.push({ attribute: key, operator: 'eq', value });
      }
    }
    return null;
  };
  const refused = walk(q);
  if (refused) return { refused };
  if (list.length === 0) return { refused: 'the expression has no condition' };
  return { list };
}

/** `[{seq_num, expression1: {attribute_name, operator, attribute_value}, condition, expression2}]`. */
function predicateConditions(query: unknown): { list: Condition[] } | { refused: string } {
  if (!Array.isArray(query) || query.length === 0) {
    return { refused: 'a predicate is a list of {expression1, condition, expression2}' };
  }
  const list: Condition[] = [];
  for (const raw of query) {
    const item = raw as Record<string, unknown> | null;
    if (!item || typeof item !== 'object') {
      return { refused: 'a predicate is a list of {expression1, condition, expression2}' };
    }
    const condition = item.condition;
    if (item.expression2 !== undefined && condition !== undefined && condition !== 'and') {
      return { refused: 'only the condition "and" can be mapped' };
    }
    for (const key of ['expression1', 'expression2']) {
      const e = item[key] as Record<string, unknown> | undefined;
      if (e === undefined) continue;
      if (!e || typeof e.attribute_name !== 'string' || typeof e.operator !== 'string') {
        return { refused: `${key} is {attribute_name, operator, attribute_value}` };
      }
      list.push({ attribute: e.attribute_name, operator: e.operator, value: e.attribute_value });
    }
  }
  return { list };
}

/** Adds one condition to the filter; a refusal names the attribute or operator, not the value. */
function apply(filter: WorkListFilter, c: Condition): string | null {
  const attribute = c.attribute.toLowerCase();
  const operator = OPERATORS[c.operator.toLowerCase()];
  const name = attribute.slice(0, 40);
  if (!operator) return `the operator ${c.operator.slice(0, 10)} cannot be mapped`;
  const onlyEq = () => (operator === 'eq' ? null : `${name} takes only eq`);
  const text = typeof c.value === 'string' || typeof c.value === 'number' ? String(c.value) : null;
  switch (attribute) {
    case 'region_code':
      if (onlyEq()) return onlyEq();
      if (text === null || !/^(\d{2}|\d{4}|\d{6}|\d{10})$/.test(text)) {
        return 'region_code is a province (2 digits), regency (4), district (6) or village (10) code';
      }
      if (filter.regionCode !== undefined && filter.regionCode !== text) {
        return 'region_code is given twice';
      }
      filter.regionCode = text;
      return null;
    case 'decile': {
      const d = text === null ? NaN : Number(text);
      if (!Number.isInteger(d) || d < 0 || d > 11) return 'decile is a whole number, 1–10';
      const min = { eq: d, ge: d, gt: d + 1 }[operator as 'eq' | 'ge' | 'gt'];
      const max = { eq: d, le: d, lt: d - 1 }[operator as 'eq' | 'le' | 'lt'];
      if (min !== undefined) filter.decileMin = Math.max(filter.decileMin ?? 1, min);
      if (max !== undefined) filter.decileMax = Math.min(filter.decileMax ?? 10, max);
      return null;
    }
    case 'program':
      if (onlyEq()) return onlyEq();
      if (text === null || !isProgramCode(text)) return 'program is PKH, BPNT, PBI_JK or PIP';
      filter.program = text;
      return null;
    case 'verification_status':
      if (onlyEq()) return onlyEq();
      if (text === null || !VERIFICATION_STATUSES.has(text)) {
        return 'verification_status is PENDING, VERIFIED or REJECTED';
      }
      filter.verificationStatus = text;
      return null;
    case 'not_verified_since':
      if (onlyEq()) return onlyEq();
      if (text === null || !/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
        return 'not_verified_since is a date (YYYY-MM-DD)';
      }
      filter.notVerifiedSince = text;
      return null;
    default: {
      const key = BOOLEAN_ATTRIBUTES[attribute];
      if (!key) {
        return (
          `the attribute ${name} cannot be mapped to the work list; ` +
          `use ${CRITERIA_ATTRIBUTES.join(', ')}`
        );
      }
      if (onlyEq()) return onlyEq();
      const b =
        c.value === true || c.value === 'true'
          ? true
          : c.value === false || c.value === 'false'
            ? false
            : null;
      if (b === null) return `${name} is true or false`;
      (filter as Record<string, unknown>)[key] = b;
      return null;
    }
  }
}

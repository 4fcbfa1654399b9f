import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  responsePathAsArray,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { IMiddleware, IMiddlewareFunction } from 'graphql-middleware';
import type { DisclosureRecord } from '../../audit/disclosure-record.js';
import { HOUSEHOLD_COLUMNS, PERSON_COLUMNS } from '../../db/scoped/record-projection.js';
import type { RequestContext } from '../../resolvers/request-context.js';

/**
 * Fields of record types governed by the field policy (the rest, such as `id`, are always shown),
 * and the types of a person's own report, whose every field given is noted (none is governed).
 */
const GOVERNED: Record<string, ReadonlySet<string>> = {
  Household: new Set([...Object.keys(HOUSEHOLD_COLUMNS), 'members']),
  Person: new Set([...Object.keys(PERSON_COLUMNS), 'household']),
  // A person's own report (CONTRACT §13): theirs, in clear, every field given is noted.
  SubjectPerson: new Set(),
  SubjectHousehold: new Set(),
  SubjectDecision: new Set(),
};

/**
 * Fields of record types that say nothing about the person or household (the snapshot's as-of
 * date): not governed, and not listed among the fields an audit event says were disclosed.
 */
const NOT_PERSONAL: ReadonlySet<string> = new Set(['dataAsOf']);

/** The work-list connection: its households are noted as one list by the field that returns it. */
const CONNECTION = {
  type: 'HouseholdConnection',
  edges: 'edges',
  edge: 'HouseholdEdge',
  node: 'node',
} as const;

/** A selected field of a record type: its response key and name. */
interface Selected {
  key: string;
  name: string;
}

/**
 * Field middleware that notes what a list of records disclosed, once per list, in the field that
 * returns it (`person`, `households`, `Household.members`, `Person.household`, …), not once per
 * value: every record field given (for the audit) and every masked or withheld one (for
 * `extensions.disclosure`, with its response path and rule). The fields are read from the
 * operation's selection (aliases, fragments and `@skip`/`@include` as execution applies them);
 * the leaf fields themselves run with no wrapper.
 */
export function disclosureNotes(
  schema: GraphQLSchema,
): IMiddleware<unknown, RequestContext, unknown> {
  const note: IMiddlewareFunction<unknown, RequestContext, unknown> = async (
    resolve,
    parent,
    args,
    context,
    info,
  ) => {
    const value: unknown = await resolve(parent, args, context, info);
    if (value !== null && value !== undefined) noteValue(value, context, info);
    return value;
  };
  const middleware: Record<string, Record<string, typeof note>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    // The edges' households are noted by the field returning the connection, as one list.
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === CONNECTION.edge) {
      continue;
    }
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type).name;
      if (returned in GOVERNED || returned === CONNECTION.type) {
        (middleware[type.name] ??= {})[field.name] = note;
      }
    }
  }
  return middleware;
}

function noteValue(value: unknown, context: RequestContext, info: GraphQLResolveInfo): void {
  const type = getNamedType(info.returnType).name;
  const base = responsePathAsArray(info.path).join('.');
  const select = (typeName: string, nodes: readonly FieldNode[]) =>
    selectedFields(typeName, nodes, info.fragments, info.variableValues);
  if (type === CONNECTION.type) {
    const connection = value as { edges?: Array<{ node?: unknown } | null> };
    for (const edges of select(CONNECTION.type, info.fieldNodes)) {
      if (edges.name !== CONNECTION.edges) continue;
      const edgeNodes = nodesOf(info.fieldNodes, edges.key, CONNECTION.type, info);
      for (const node of select(CONNECTION.edge, edgeNodes)) {
        if (node.name !== CONNECTION.node) continue;
        const fields = select('Household', nodesOf(edgeNodes, node.key, CONNECTION.edge, info));
        const plan = notePlan(context, 'Household', fields);
        (connection.edges ?? []).forEach((edge, i) => {
          if (edge?.node) noteRecord(context, plan, `${base}.${edges.key}.${i}.${node.key}`);
        });
      }
    }
    return;
  }
  const plan = notePlan(context, type, select(type, info.fieldNodes));
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item !== null && item !== undefined) noteRecord(context, plan, `${base}.${i}`);
    });
  } else {
    noteRecord(context, plan, base);
  }
}

/** What each record of one list discloses, the same for all of them: worked out once per list. */
interface NotePlan {
  /** `Type.field` of every field given (for the audit). */
  given: string[];
  /** Response keys of the masked and withheld fields, with their rule. */
  notes: Array<{ key: string; rule: 'MASKED' | 'WITHHELD'; mask?: string }>;
}

function notePlan(context: RequestContext, type: string, fields: readonly Selected[]): NotePlan {
  const governed = GOVERNED[type]!;
  const plan: NotePlan = { given: [], notes: [] };
  for (const { key, name } of fields) {
    if (NOT_PERSONAL.has(name)) continue;
    if (!governed.has(name)) {
      plan.given.push(`${type}.${name}`);
      continue;
    }
    const r = context.registry.fieldRule(type as 'Household' | 'Person', name);
    if (r.rule === 'withhold') {
      plan.notes.push({ key, rule: 'WITHHELD' });
    } else {
      plan.given.push(`${type}.${name}`);
      if (r.rule === 'mask') plan.notes.push({ key, rule: 'MASKED', mask: r.mask });
    }
  }
  return plan;
}

function noteRecord(context: RequestContext, plan: NotePlan, path: string): void {
  const d: DisclosureRecord = context.disclosure;
  for (const field of plan.given) d.fields.add(field);
  for (const { key, rule, mask } of plan.notes) {
    d.notes.push(
      rule === 'MASKED' ? { path: `${path}.${key}`, rule, mask } : { path: `${path}.${key}`, rule },
    );
  }
}

/** The field nodes under `nodes` answering to response key `key` on `typeName`. */
function nodesOf(
  nodes: readonly FieldNode[],
  key: string,
  typeName: string,
  info: GraphQLResolveInfo,
): FieldNode[] {
  const found: FieldNode[] = [];
  for (const node of nodes) {
    if (!node.selectionSet) continue;
    collect(node.selectionSet, typeName, info.fragments, info.variableValues, new Set(), (f) => {
      if ((f.alias?.value ?? f.name.value) === key) found.push(f);
    });
  }
  return found;
}

/**
 * The fields selected on an object type under some field nodes, one per response key, in the
 * order execution gives them. Fields excluded by `@skip`/`@include` are left out, and
 * `__typename` (not data) too.
 */
function selectedFields(
  typeName: string,
  nodes: readonly FieldNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): Selected[] {
  const byKey = new Map<string, string>();
  for (const node of nodes) {
    if (!node.selectionSet) continue;
    collect(node.selectionSet, typeName, fragments, variables, new Set(), (f) => {
      const key = f.alias?.value ?? f.name.value;
      if (!byKey.has(key) && !f.name.value.startsWith('__')) byKey.set(key, f.name.value);
    });
  }
  return [...byKey].map(([key, name]) => ({ key, name }));
}

function collect(
  set: SelectionSetNode,
  typeName: string,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  seen: Set<string>,
  onField: (field: FieldNode) => void,
): void {
  for (const selection of set.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      onField(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition?.name.value;
      if (on === undefined || on === typeName) {
        collect(selection.selectionSet, typeName, fragments, variables, seen, onField);
      }
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment && fragment.typeCondition.name.value === typeName) {
        collect(fragment.selectionSet, typeName, fragments, variables, seen, onField);
      }
    }
  }
}

function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: Record<string, unknown>,
): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

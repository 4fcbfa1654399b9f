import {
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  typeFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * How many NIKs an operation will check, across every `eligibility` field (1 each) and every
 * `eligibilityBatch` field (its list), under any alias, fragment or inline fragment: aliases must
 * not multiply a batch limit. Counted before anything runs, on the values execution will see: the
 * variables coerced as graphql-js coerces them (a variable's default value, a single value as a
 * list of one), then each field's arguments coerced from its literals and those variables. The
 * fields are collected as graphql-js collects them for execution: a field left out by `@skip` or
 * `@include` does not count, and fields with one response key run once and count once.
 *
 * Variables that do not coerce count 0: execution then refuses the operation before any resolver
 * runs. A field whose arguments do not coerce counts 0 too: it fails without running. The
 * eligibility service counts again what it is actually asked (defence in depth).
 */
export function eligibilityChecks(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown> | undefined,
): number {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    rawVariables ?? {},
  );
  if (coerced.errors) return 0;
  const variables = coerced.coerced;
  let count = 0;
  for (const [name, node] of collectRootFields(schema, rootType, fragments, variables, operation)) {
    if (name === 'eligibility') count += 1;
    else if (name === 'eligibilityBatch') {
      const field = rootType.getFields()[name];
      if (!field) continue;
      let niks: unknown;
      try {
        niks = getArgumentValues(field, node, variables).niks;
      } catch {
        continue; // the field fails with this error when it runs, and checks nothing
      }
      count += Array.isArray(niks) ? niks.length : niks === undefined || niks === null ? 0 : 1;
    }
  }
  return count;
}

/**
 * The root fields that execution will run, as field name and the node whose arguments it uses
 * (graphql-js `collectFields`: the first field of each response key; fragments spread once).
 */
function collectRootFields(
  schema: GraphQLSchema,
  rootType: GraphQLObjectType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  operation: OperationDefinitionNode,
): Array<[string, FieldNode]> {
  const byResponseKey = new Map<string, FieldNode>();
  const spread = new Set<string>();
  const included = (node: SelectionNode) => {
    try {
      return (
        getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
        getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false
      );
    } catch {
      return false; // execution fails on it too, before any resolver runs
    }
  };
  const applies = (fragment: FragmentDefinitionNode | InlineFragmentNode) => {
    if (!fragment.typeCondition) return true;
    const type = typeFromAST(schema, fragment.typeCondition);
    if (type === rootType) return true;
    return type !== undefined && isAbstractType(type) && schema.isSubType(type, rootType);
  };
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!included(selection)) continue;
        const key = selection.alias?.value ?? selection.name.value;
        if (!byResponseKey.has(key)) byResponseKey.set(key, selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (included(selection) && applies(selection)) walk(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (spread.has(name) || !included(selection)) continue;
        spread.add(name);
        const fragment = fragments[name];
        if (fragment && applies(fragment)) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...byResponseKey.values()].map((node) => [node.name.value, node]);
}

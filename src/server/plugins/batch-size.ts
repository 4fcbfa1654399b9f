import {
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * How many NIKs an operation asks to check, across every `eligibility` field (1 each) and every
 * `eligibilityBatch` field (its list), under any alias or fragment: aliases must not multiply a
 * batch limit. Counted from the document and the variables before anything runs.
 */
export function eligibilityChecks(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): number {
  let count = 0;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (!seen.has(name) && fragments[name]) {
          seen.add(name);
          walk(fragments[name].selectionSet);
        }
      } else if (selection.name.value === 'eligibility') count += 1;
      else if (selection.name.value === 'eligibilityBatch') {
        const niks = selection.arguments?.find((a) => a.name.value === 'niks')?.value;
        count += niks ? listLength(niks, variables) : 0;
      }
    }
  };
  walk(operation.selectionSet);
  return count;
}

function listLength(value: ValueNode, variables: Record<string, unknown> | undefined): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return Array.isArray(v) ? v.length : v === undefined || v === null ? 0 : 1;
  }
  return 1; // a single value coerced to a list
}

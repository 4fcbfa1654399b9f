import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { RecordSelection } from '../../db/scoped/record-projection.js';
import type { RequestContext } from '../../resolvers/request-context.js';

/**
 * The fields of `Household`, `Person` and `HouseholdConnection` a document selects anywhere, through fragments and inline
 * fragments. It over-approximates on purpose (a field under `@skip`, or in another operation of
 * the document, counts): reading a column the answer then drops costs a little; missing one would
 * answer null where the policy gives a value.
 */
export function recordSelectionOf(schema: GraphQLSchema, document: DocumentNode): RecordSelection {
  const selection = {
    Household: new Set<string>(),
    Person: new Set<string>(),
    HouseholdConnection: new Set<string>(),
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD](node) {
        const parent = typeInfo.getParentType()?.name;
        if (parent === 'Household' || parent === 'Person' || parent === 'HouseholdConnection') {
          selection[parent].add(node.name.value);
        }
      },
    }),
  );
  return selection;
}

/**
 * Narrows the scoped registry's SELECT lists to what the operation asks for (issue #18: the
 * statements read only the columns and subqueries the fields need), once the operation is known
 * and before it runs. Masking and withholding stay in the SQL: the registry still compiles each
 * selected field through the agreement's policy.
 */
export function recordSelectionPlugin(): ApolloServerPlugin<RequestContext> {
  const selections = new WeakMap<DocumentNode, RecordSelection>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue, schema }) {
          // Apollo reuses the parsed document of a query text it has seen: walk each one once.
          let selection = selections.get(document);
          if (!selection) {
            selection = recordSelectionOf(schema, document);
            selections.set(document, selection);
          }
          contextValue.registry.selectFields(selection);
        },
      };
    },
  };
}

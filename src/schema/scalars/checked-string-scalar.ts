import { GraphQLError, GraphQLScalarType, Kind, type ASTNode } from 'graphql';

/**
 * A string scalar that accepts only values passing `check`. The refusal is BAD_USER_INPUT with a
 * fixed message that never repeats the value (it may be someone's NIK), raised before any
 * database work.
 */
export function checkedStringScalar(options: {
  name: string;
  description: string;
  check: (value: string) => boolean;
  invalid: string;
}): GraphQLScalarType<string, string> {
  const refuse = (nodes?: ASTNode) =>
    new GraphQLError(options.invalid, { nodes, extensions: { code: 'BAD_USER_INPUT' } });
  const parse = (value: unknown): string => {
    if (typeof value === 'string' && options.check(value)) return value;
    throw refuse();
  };
  return new GraphQLScalarType<string, string>({
    name: options.name,
    description: options.description,
    serialize: (value) => value as string,
    parseValue: parse,
    parseLiteral(ast) {
      if (ast.kind !== Kind.STRING || !options.check(ast.value)) throw refuse(ast);
      return ast.value;
    },
  });
}

import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isIsoDate } from '../../domain/dates.js';

/** A calendar date `YYYY-MM-DD` without a time zone, as dates are kept in the registry. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date written YYYY-MM-DD (no time, no time zone).',
  serialize(value) {
    if (typeof value === 'string' && isIsoDate(value)) return value;
    throw new GraphQLError('Date cannot represent this value');
  },
  parseValue(value) {
    if (typeof value === 'string' && isIsoDate(value)) return value;
    throw new GraphQLError('Date must be a real date written YYYY-MM-DD', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && isIsoDate(ast.value)) return ast.value;
    throw new GraphQLError('Date must be a real date written YYYY-MM-DD', {
      nodes: ast,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isNikFormat } from '../../domain/nik.js';
import { PROVINCE_CODES } from '../../domain/provinces.js';

const INVALID = 'NIK must be exactly 16 digits starting with an existing province code';

function parse(value: unknown): string {
  // The message never repeats the value: it may be someone's NIK.
  if (typeof value === 'string' && isNikFormat(value) && PROVINCE_CODES.has(value.slice(0, 2))) {
    return value;
  }
  throw new GraphQLError(INVALID, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A national identity number: 16 digits, the first two an existing province code. */
export const NikScalar = new GraphQLScalarType<string, string>({
  name: 'NIK',
  description:
    'Nomor Induk Kependudukan: exactly 16 digits, the first two an existing province code. ' +
    'Anything else is refused as BAD_USER_INPUT before any database work. In records it may come ' +
    'back masked (first 6 and last 4 digits kept: 320101******0001), so it is typed String there.',
  serialize: (value) => value as string,
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError(INVALID, { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    return parse(ast.value);
  },
});

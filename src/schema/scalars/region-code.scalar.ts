import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const REGION_RE = /^(?:\d{2}|\d{4}|\d{6}|\d{10})$/;
const INVALID = 'RegionCode must be 2 (province), 4 (regency), 6 (district) or 10 (village) digits';

function parse(value: unknown): string {
  if (typeof value === 'string' && REGION_RE.test(value)) return value;
  throw new GraphQLError(INVALID, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A region code of the Kepmendagri reference at any level. */
export const RegionCodeScalar = new GraphQLScalarType<string, string>({
  name: 'RegionCode',
  description:
    'A region code (kode wilayah) without dots: 2 digits for a province (32), 4 for a regency or ' +
    'city (3201), 6 for a district (320101), 10 for a village (3201011001).',
  serialize: (value) => value as string,
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError(INVALID, { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
    return parse(ast.value);
  },
});

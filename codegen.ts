import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen` writes the public schema (`schema.graphql`, committed: partner agencies read it,
 * and CI fails when it is out of date) and typed documents for the operations the tests send.
 */
const config: CodegenConfig = {
  schema: './src/resolvers/codegen-schema.ts',
  documents: ['tests/operations/**/*.graphql'],
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false } },
    'tests/generated/operations.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: { scalars: { Date: 'string', DateTimeISO: 'string' }, useTypeImports: true },
    },
  },
  hooks: { afterAllFileWrite: ['prettier --write'] },
};

export default config;

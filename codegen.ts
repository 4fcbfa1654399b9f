import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen` writes the public schema (`schema.graphql`, committed: partner agencies read it,
 * and CI fails when it is out of date), typed documents for the operations the tests send, and
 * the dashboard's trusted documents: typed documents and the persisted-documents manifest
 * (`dashboard/src/gql/persisted-documents.json`, id → text) that `serve --demo` publishes as
 * application `dtks-dashboard` (docs/security.md, "Trusted documents").
 */
const SCALARS = { Date: 'string', DateTimeISO: 'string' };

const config: CodegenConfig = {
  schema: './src/resolvers/codegen-schema.ts',
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false } },
    'tests/generated/operations.ts': {
      documents: ['tests/operations/**/*.graphql'],
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: { scalars: SCALARS, useTypeImports: true },
    },
    'dashboard/src/gql/': {
      documents: ['dashboard/src/queries/**/*.graphql'],
      preset: 'client',
      presetConfig: {
        // Ids are `sha256:<hex>` of each document's text, the GraphQL-over-HTTP form.
        // The page carries only each document's hash, never its text: it has no text to send.
        persistedDocuments: { hashAlgorithm: 'sha256', mode: 'replaceDocumentWithHash' },
        fragmentMasking: false,
      },
      // `.js` in relative imports: valid for a bundler and for Node's resolution alike.
      config: { scalars: SCALARS, useTypeImports: true, importExtension: '.js' },
    },
  },
  hooks: { afterAllFileWrite: ['prettier --write'] },
};

export default config;

import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js and index.mjs without an exports map: Node loads index.js for
    // everyone, but vite would hand our sources index.mjs (its "module" field) while type-graphql
    // and Apollo get index.js — two realms, and "Cannot determine GraphQL output type". One copy.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Three files at once on two cores: most of a file's time is spent waiting on PostgreSQL and
    // on child processes, and a third worker took the suite from about 400 s to 325 s here.
    maxWorkers: 3,
    // A worker keeps its module cache from file to file: no test mocks a module, and each file
    // builds its own database and gateway. Importing the gateway afresh for every file cost about
    // 200 s of the suite's CPU (import 197 s → 27 s; the suite 454 s → 373 s on this machine).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

/**
 * Runs the process in production mode unless NODE_ENV says otherwise. graphql-js decides when it
 * loads whether `instanceof` checks take a development-mode fallback (which looks for a second
 * copy of graphql by class name on every failed check): about a tenth of the CPU time of a large
 * answer. Apollo Server's NODE_ENV-dependent defaults are all set explicitly
 * (src/server/graphql-server.ts), so nothing else changes. Must be the first import of an entry
 * point, before anything loads graphql.
 */
process.env.NODE_ENV ??= 'production';

export {};

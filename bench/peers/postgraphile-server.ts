/**
 * The PostGraphile 4 peer, in its own process: `postgraphile()` as middleware on node:http over
 * the snapshot's tables, as an outside review ran it — no token, no purpose, no audit, NIK
 * unmasked. Loaded from the scratch folder the benchmark installed it into (never a dependency
 * of the gateway). Prints `{"port": N}` once it listens.
 *
 * The registry has no foreign keys between its tables (an import swaps them whole), so the
 * relations the work list needs are declared as smart tags, PostGraphile's own way: member →
 * household and program_recipient → member. Nulls sort first (`orderByNullsLast: false`), so
 * `VERIFIED_AT_ASC` is the gateway's LAST_VERIFIED order (never verified first). The
 * connection-filter plugin gives the prefix and date filters. The pool has 20 connections, as the
 * gateway's and the bare handlers' have.
 * Usage: tsx bench/peers/postgraphile-server.ts   (env DATABASE_URL, PEERS_POSTGRAPHILE_DIR)
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The part of PostGraphile 4's API used here (its types live in the scratch folder). */
interface PostGraphileModule {
  postgraphile(
    pool: unknown,
    schema: string,
    options: Record<string, unknown>,
  ): http.RequestListener;
  makeJSONPgSmartTagsPlugin(json: unknown): unknown;
}

const scratch = process.env.PEERS_POSTGRAPHILE_DIR!;
const load = createRequire(path.join(scratch, 'package.json'));
const { postgraphile, makeJSONPgSmartTagsPlugin } = load('postgraphile') as PostGraphileModule;
const filter = load('postgraphile-plugin-connection-filter') as { default?: unknown };
const { Pool } = load('pg') as { Pool: new (config: Record<string, unknown>) => unknown };

const relations = makeJSONPgSmartTagsPlugin({
  version: 1,
  config: {
    class: {
      member: { tags: { foreignKey: '(household_id) references household (household_id)' } },
      program_recipient: { tags: { foreignKey: '(nik) references member (nik)' } },
    },
  },
});

const pool = new Pool({ connectionString: process.env.DATABASE_URL!, max: 20 });
const handler = postgraphile(pool, 'public', {
  appendPlugins: [filter.default ?? filter, relations],
  graphileBuildOptions: { orderByNullsLast: false },
  disableQueryLog: true,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  retryOnInitFail: false,
});
const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));

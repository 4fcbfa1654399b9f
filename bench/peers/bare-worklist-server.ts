/**
 * The bare work list over HTTP, in its own process: node:http + pg answering one page of a
 * district's work list with the statements of bench/support/bare-worklist.ts (page and count side
 * by side, then the members with their programs, NIK masked in SQL), written as JSON — the page's
 * households with their members, and the total. No GraphQL, token, cursor or audit.
 * Usage: tsx bench/peers/bare-worklist-server.ts   (env DATABASE_URL; prints `{"port": N}`)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { connect } from '../../src/db/database.js';
import { bareWorkListPage } from '../support/bare-worklist.js';

interface HouseholdRow {
  household_id: string;
  address: string | null;
  decile: number | null;
}
interface MemberRow {
  household_id: string;
  nik: string;
  name: string;
  programs: string[];
}

const database = connect(process.env.DATABASE_URL!, { max: 20 });

/**
 * Runs the bare page and keeps the rows it read: a pool that hands every query to the real one
 * and remembers the results in the order the statements were sent (page, count, members).
 */
async function page(district: string, notVerifiedSince: string, first: number): Promise<string> {
  const sent: Array<Promise<pg.QueryResult>> = [];
  const recording = {
    query: (text: string, values: unknown[]) => {
      const result = database.pool.query(text, values);
      sent.push(result);
      return result;
    },
  } as unknown as pg.Pool;
  await bareWorkListPage(recording, { district, notVerifiedSince, first });
  const [households, count, members] = await Promise.all(sent);
  if (!households || !count || !members || !('n' in (count.rows[0] ?? {}))) {
    throw new Error('bare-worklist.ts sends other statements now: update this server');
  }
  const byHousehold = new Map<string, MemberRow[]>();
  for (const m of members.rows as MemberRow[]) {
    const list = byHousehold.get(m.household_id) ?? [];
    list.push(m);
    byHousehold.set(m.household_id, list);
  }
  return JSON.stringify({
    data: {
      households: {
        totalCount: (count.rows[0] as { n: number }).n,
        nodes: (households.rows as HouseholdRow[]).slice(0, first).map((h) => ({
          id: h.household_id,
          address: h.address,
          decile: h.decile,
          members: (byHousehold.get(h.household_id) ?? []).map((m) => ({
            nik: m.nik,
            name: m.name,
            programs: m.programs,
          })),
        })),
      },
    },
  });
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      variables: { district: string; notVerifiedSince: string; first: number };
    };
    page(variables.district, variables.notVerifiedSince, variables.first)
      .then((payload) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
      })
      .catch((error: unknown) => {
        console.error(error);
        res.writeHead(500);
        res.end();
      });
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));

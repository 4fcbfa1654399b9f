import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';

/**
 * The bare baseline: the fewest layers that answer the same `person(nik)` request — parse the
 * JSON body, one SQL query (the same masked projection and region predicate the gateway
 * compiles for pemda-3201), write JSON. No GraphQL, no token, no audit.
 */
export function startBarePersonServer(pool: pg.Pool): Promise<number> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        variables: { nik: string };
      };
      pool
        .query(
          `SELECT left(m.nik, 6) || '******' || right(m.nik, 4) AS nik, m.name, m.birth_date AS "birthDate"
             FROM member m JOIN household h ON h.household_id = m.household_id
            WHERE m.nik = $1 AND h.region_code LIKE '3201%'`,
          [body.variables.nik],
        )
        .then(({ rows }) => {
          const payload = JSON.stringify({ data: { person: rows[0] ?? null } });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          });
          res.end(payload);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

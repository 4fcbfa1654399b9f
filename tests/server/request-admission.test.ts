import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OverloadedError, RequestAdmission } from '../../src/server/request-admission.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * A turn per request (src/server/request-admission.ts): requests beyond the limit wait in arrival
 * order, a turn ends with the answer, and a request that waited too long is answered 503 with
 * Retry-After, never half-done.
 */
describe('RequestAdmission on a real HTTP server', () => {
  const admission = new RequestAdmission({ concurrency: 2, maxWaitMs: 2_000 });
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      admission.enter(res).then(
        () => {
          started.push(n);
          finish.set(n, () => res.end(String(n)));
        },
        (error: OverloadedError) => {
          res.writeHead(503, { 'retry-after': String(error.retryAfter) });
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('works on at most `concurrency` requests and lets the others in first come, first served', async () => {
    const answers: Promise<Response>[] = [];
    for (let n = 1; n <= 6; n++) {
      answers.push(fetch(`${url}?n=${n}`));
      // Sent one after the other, so that the arrival order is known.
      await until(() => admission.load.running + admission.load.waiting === n);
    }
    expect(started).toEqual([1, 2]);
    expect(admission.load).toEqual({ running: 2, waiting: 4 });
    finish.get(2)!();
    await until(() => started.length === 3);
    expect(started).toEqual([1, 2, 3]);
    finish.get(1)!();
    await until(() => started.length === 4);
    for (const n of [3, 4]) finish.get(n)!();
    await until(() => started.length === 6);
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    for (const n of [5, 6]) finish.get(n)!();
    const bodies = await Promise.all(answers.map(async (a) => (await a).text()));
    expect(bodies).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(admission.load).toEqual({ running: 0, waiting: 0 });
  });

  it('ends a turn when the client hangs up, and answers 503 with Retry-After after the wait', async () => {
    started.length = 0;
    const hungUp = new AbortController();
    const first = fetch(`${url}?n=1`, { signal: hungUp.signal }).catch(() => null);
    await until(() => started.length === 1);
    const second = fetch(`${url}?n=2`);
    await until(() => started.length === 2);
    // Both turns taken: the third waits, and is let in when the first client goes away.
    const third = fetch(`${url}?n=3`);
    await until(() => admission.load.waiting === 1);
    hungUp.abort();
    await first;
    await until(() => started.length === 3);
    // Two turns held: the fourth waits 2 s and is answered 503.
    const fourth = await fetch(`${url}?n=4`);
    expect(fourth.status).toBe(503);
    expect(fourth.headers.get('retry-after')).toBe('2');
    expect(admission.load).toEqual({ running: 2, waiting: 0 });
    for (const n of [2, 3]) finish.get(n)!();
    expect(await (await second).text()).toBe('2');
    expect(await (await third).text()).toBe('3');
    await until(() => admission.load.running === 0);
  });
});

describe('the gateway takes requests in turns', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let access: DemoAccess;
  const QUERY = '{ person(nik: "3201011505809001") { name } }';

  beforeAll(async () => {
    db = await createTestDatabase();
    await importText(db, validSnapshot());
    // One request at a time, and hardly any wait: concurrent requests must be refused.
    gateway = await startTestGateway(db, { admission: { concurrency: 1, maxWaitMs: 1 } });
    access = await demoAccess(db, gateway);
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.close();
  });

  it('answers the requests that got a turn, 503 with Retry-After to the others, and audits only the answered', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const ids = Array.from({ length: 12 }, (_, i) => `admission-${Date.now()}-${i}`);
    const answers = await Promise.all(
      ids.map((id) => graphql(gateway, QUERY, { headers: { ...headers, 'x-request-id': id } })),
    );
    const refused = answers.filter((a) => a.status === 503);
    const served = answers.filter((a) => a.status === 200);
    expect(refused.length + served.length).toBe(12);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of served) expect(a.body.errors).toBeUndefined();
    for (const a of refused) {
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(a.body.data).toBeUndefined();
    }
    const { rows } = await db.pool.query<{ request_id: string }>(
      'SELECT request_id FROM audit_event WHERE request_id = ANY($1::text[])',
      [ids],
    );
    const audited = new Set(rows.map((r) => r.request_id));
    expect(rows).toHaveLength(audited.size);
    const servedIds = answers.flatMap((a, i) => (a.status === 200 ? [ids[i]!] : []));
    expect([...audited].sort()).toEqual(servedIds.sort());
  });
});

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { documentIdOf, parseManifest } from '../../src/db/queries/document-queries.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { DASHBOARD_APP, DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { ensureDemoClients, registration } from '../../src/demo/demo-clients.js';
import { DASHBOARD_MANIFEST, publishDashboardDocuments } from '../../src/demo/demo-documents.js';
import { publicKeysOf } from '../support/audit-keys.js';
import { useFixtureGateway, type FixtureGateway } from '../support/fixture-gateway.js';
import { graphql, type GraphQLResult } from '../support/test-gateway.js';
import { publishTestDocument } from '../support/trusted-documents.js';

/**
 * Trusted documents (CONTRACT §10, issue #13): requests that name a published document by id,
 * in the GraphQL-over-HTTP form and in Apollo's, the "trusted documents only" agreement, the
 * applications a client may use, and the audit of both.
 */

let f: FixtureGateway;
useFixtureGateway((fixture) => (f = fixture));

const DASHBOARD = 'pusdatin-dashboard';
const VERSION = '9.9.9';
/** The dashboard's first document, as codegen wrote it into the manifest. */
let overview: { id: string; text: string };
/** A document only `other-app` published. */
const OTHER_TEXT =
  'query OtherApp { snapshot { asOf } statistics(query: { measure: PERSONS }) { method } }';
let otherId: string;

beforeAll(async () => {
  await publishDashboardDocuments(f.db.db, { version: VERSION });
  const manifest = parseManifest(await readFile(DASHBOARD_MANIFEST, 'utf8'));
  const entry = [...manifest].find(([, text]) => text.startsWith('query NationalOverview'));
  overview = { id: entry![0], text: entry![1] };
  otherId = await publishTestDocument(f.db, OTHER_TEXT, 'other-app');
});

async function post(
  body: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResult> {
  const r = await fetch(`${f.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as never };
}

async function get(
  params: Record<string, string>,
  headers: Record<string, string>,
): Promise<GraphQLResult> {
  const search = new URLSearchParams(params).toString();
  const r = await fetch(`${f.gateway.url}/graphql?${search}`, {
    headers: { ...headers, 'apollo-require-preflight': 'true' },
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as never };
}

const as = (clientId: string, requestId: string) =>
  f.access
    .as(clientId, DEMO_CLIENTS.find((c) => c.clientId === clientId)!.purposes[0])
    .then((h) => ({ ...h, 'x-request-id': requestId }));

const codes = (r: GraphQLResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);

interface AuditRow {
  client_id: string | null;
  outcome: string;
  error_code: string | null;
  document_id: string | null;
  app: string | null;
}

async function auditOf(requestId: string): Promise<AuditRow[]> {
  const { rows } = await f.db.pool.query<AuditRow>(
    'SELECT client_id, outcome, error_code, document_id, app FROM audit_event WHERE request_id = $1',
    [requestId],
  );
  return rows;
}

interface Overview {
  snapshot: { asOf: string; households: number; persons: number };
  statistics: { method: string; cells: unknown[] };
}

function expectOverview(r: GraphQLResult, label: string): void {
  expect(r.body.errors, `${label}: ${JSON.stringify(r.body.errors)}`).toBeUndefined();
  expect(r.status, label).toBe(200);
  const data = r.body.data as Overview;
  expect(data.snapshot.households, label).toBeGreaterThan(0);
  expect(data.statistics.method, label).toBe('SUPPRESSION');
  expect(data.statistics.cells.length, label).toBeGreaterThan(0);
}

describe('a trusted-documents-only client (the demo dashboard)', () => {
  it('runs a published document by documentId, POST and GET, and the audit event names it', async () => {
    const byPost = await post({ documentId: overview.id }, await as(DASHBOARD, 'td-post'));
    expectOverview(byPost, 'POST documentId');
    const byGet = await get({ documentId: overview.id }, await as(DASHBOARD, 'td-get'));
    expectOverview(byGet, 'GET documentId');
    expect(byGet.body.data).toEqual(byPost.body.data);
    for (const requestId of ['td-post', 'td-get']) {
      expect(await auditOf(requestId), requestId).toEqual([
        {
          client_id: DASHBOARD,
          outcome: 'DISCLOSED',
          error_code: null,
          document_id: overview.id,
          app: `${DASHBOARD_APP}@${VERSION}`,
        },
      ]);
    }
  });

  it("runs it by Apollo's extensions.persistedQuery hash, POST and GET, without registration", async () => {
    const persistedQuery = { version: 1, sha256Hash: overview.id.slice('sha256:'.length) };
    const byPost = await post(
      { extensions: { persistedQuery } },
      await as(DASHBOARD, 'td-apollo-post'),
    );
    expectOverview(byPost, 'POST persistedQuery');
    const byGet = await get(
      { extensions: JSON.stringify({ persistedQuery }) },
      await as(DASHBOARD, 'td-apollo-get'),
    );
    expectOverview(byGet, 'GET persistedQuery');
    expect((await auditOf('td-apollo-get'))[0]).toMatchObject({
      document_id: overview.id,
      app: `${DASHBOARD_APP}@${VERSION}`,
    });
  });

  it('passes variables and operationName through to the document', async () => {
    const text =
      'query ByMeasure($q: StatisticsQuery!) { statistics(query: $q) { method cells { value } } }';
    const documentId = await publishTestDocument(f.db, text);
    const r = await post(
      {
        documentId,
        operationName: 'ByMeasure',
        variables: { q: { measure: 'PERSONS', groupBy: ['SEX'] } },
      },
      await as(DASHBOARD, 'td-vars'),
    );
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as { statistics: { method: string } }).statistics.method).toBe(
      'SUPPRESSION',
    );
  });

  it('gets PERSISTED_QUERY_REQUIRED (400, no data, audited) for query text, even the text of a published document', async () => {
    const tries: Array<[string, () => Promise<GraphQLResult>]> = [
      [
        'text',
        async () => graphql(f.gateway, overview.text, { headers: await as(DASHBOARD, 'td-text') }),
      ],
      ['GET text', async () => get({ query: overview.text }, await as(DASHBOARD, 'td-get-text'))],
      [
        'text with its id',
        async () =>
          post({ query: overview.text, documentId: overview.id }, await as(DASHBOARD, 'td-both')),
      ],
      [
        'text with its hash',
        async () =>
          post(
            {
              query: overview.text,
              extensions: {
                persistedQuery: { version: 1, sha256Hash: overview.id.slice('sha256:'.length) },
              },
            },
            await as(DASHBOARD, 'td-register'),
          ),
      ],
      ['neither', async () => post({ variables: {} }, await as(DASHBOARD, 'td-neither'))],
    ];
    for (const [label, send] of tries) {
      const r = await send();
      expect(r.status, label).toBe(400);
      expect(codes(r), label).toEqual(['PERSISTED_QUERY_REQUIRED']);
      expect(r.body, label).not.toHaveProperty('data');
      expect(JSON.stringify(r.body), label).not.toContain('NationalOverview');
    }
    for (const requestId of ['td-text', 'td-get-text', 'td-both', 'td-register', 'td-neither']) {
      expect(await auditOf(requestId), requestId).toEqual([
        {
          client_id: DASHBOARD,
          outcome: 'REFUSED',
          error_code: 'PERSISTED_QUERY_REQUIRED',
          document_id: null,
          app: null,
        },
      ]);
    }
  });

  it('gets PERSISTED_QUERY_NOT_FOUND (400) for an id no application published, in either form', async () => {
    const unknown = documentIdOf('query Unknown { snapshot { asOf } }');
    const tries: Array<[string, () => Promise<GraphQLResult>]> = [
      ['documentId', async () => post({ documentId: unknown }, await as(DASHBOARD, 'td-unknown'))],
      [
        'persistedQuery',
        async () =>
          post(
            {
              extensions: {
                persistedQuery: { version: 1, sha256Hash: unknown.slice('sha256:'.length) },
              },
            },
            await as(DASHBOARD, 'td-unknown-apollo'),
          ),
      ],
      ['GET', async () => get({ documentId: unknown }, await as(DASHBOARD, 'td-unknown-get'))],
      [
        'malformed id',
        async () => post({ documentId: 'sha256:NOT-HEX' }, await as(DASHBOARD, 'td-malformed')),
      ],
    ];
    for (const [label, send] of tries) {
      const r = await send();
      expect(r.status, label).toBe(400);
      expect(codes(r), label).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect(r.body, label).not.toHaveProperty('data');
    }
    expect(await auditOf('td-unknown')).toEqual([
      {
        client_id: DASHBOARD,
        outcome: 'REFUSED',
        error_code: 'PERSISTED_QUERY_NOT_FOUND',
        document_id: unknown,
        app: null,
      },
    ]);
    expect((await auditOf('td-malformed'))[0]).toMatchObject({ document_id: null });
  });

  it('gets FORBIDDEN (403, audited) for a document only another application published', async () => {
    const r = await post({ documentId: otherId }, await as(DASHBOARD, 'td-other-app'));
    expect(r.status).toBe(403);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.body).not.toHaveProperty('data');
    expect(await auditOf('td-other-app')).toEqual([
      {
        client_id: DASHBOARD,
        outcome: 'REFUSED',
        error_code: 'FORBIDDEN',
        document_id: otherId,
        app: null,
      },
    ]);
  });

  it('may run that document as soon as its own application publishes the same text', async () => {
    const text =
      'query Shared { snapshot { persons } statistics(query: { measure: HOUSEHOLDS }) { method } }';
    const id = await publishTestDocument(f.db, text, 'other-app');
    const before = await post({ documentId: id }, await as(DASHBOARD, 'td-shared-1'));
    expect(codes(before)).toEqual(['FORBIDDEN']);
    await publishTestDocument(f.db, text, DASHBOARD_APP);
    const after = await post({ documentId: id }, await as(DASHBOARD, 'td-shared-2'));
    expect(after.body.errors).toBeUndefined();
    expect((await auditOf('td-shared-2'))[0]!.app).toMatch(/^dtks-dashboard@test-/);
  });

  it('follows a change of its agreement at once (the applications are checked on every request)', async () => {
    const id = 'pusdatin-dashboard-pks';
    await f.db.pool.query("UPDATE agreement SET document_apps = '{other-app}' WHERE id = $1", [id]);
    await f.db.pool.query("SELECT pg_notify('dtks_policy', 'pusdatin-dashboard')");
    await new Promise((resolve) => setTimeout(resolve, 150));
    try {
      const mine = await post({ documentId: overview.id }, await as(DASHBOARD, 'td-moved-1'));
      expect(codes(mine)).toEqual(['FORBIDDEN']);
      const theirs = await post({ documentId: otherId }, await as(DASHBOARD, 'td-moved-2'));
      expect(theirs.body.errors).toBeUndefined();
    } finally {
      await f.db.pool.query(
        "UPDATE agreement SET document_apps = '{dtks-dashboard}' WHERE id = $1",
        [id],
      );
      await f.db.pool.query("SELECT pg_notify('dtks_policy', 'pusdatin-dashboard')");
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });
});

describe('other clients', () => {
  it('keep sending query text, and may run any application’s documents by id', async () => {
    const text = await graphql(f.gateway, OTHER_TEXT, {
      headers: await as('bps-researcher', 'td-bps-text'),
    });
    expect(text.body.errors).toBeUndefined();
    expect(await auditOf('td-bps-text')).toEqual([
      {
        client_id: 'bps-researcher',
        outcome: 'DISCLOSED',
        error_code: null,
        document_id: null,
        app: null,
      },
    ]);
    for (const [i, documentId, app] of [
      [1, otherId, 'other-app@'],
      [2, overview.id, `${DASHBOARD_APP}@${VERSION}`],
    ] as const) {
      const requestId = `td-bps-doc-${i}`;
      const r = await post({ documentId }, await as('bps-researcher', requestId));
      expect(r.body.errors, app).toBeUndefined();
      expect((await auditOf(requestId))[0]!.app, app).toMatch(new RegExp(`^${app}`));
    }
  });

  it('with a list of applications: text still, documents of those applications only', async () => {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'bps-researcher')!;
    await saveClient(
      f.db.db,
      registration({ ...demo, clientId: 'bps-apps', documentApps: [DASHBOARD_APP] }, 'unused-hash'),
    );
    const headers = await f.access.as('bps-apps', 'RESEARCH');
    expect((await graphql(f.gateway, OTHER_TEXT, { headers })).body.errors).toBeUndefined();
    expect((await post({ documentId: overview.id }, headers)).body.errors).toBeUndefined();
    const other = await post({ documentId: otherId }, headers);
    expect(other.status).toBe(403);
    expect(codes(other)).toEqual(['FORBIDDEN']);
  });

  it('may not send text and a documentId together; text with an Apollo hash is a registration, not supported', async () => {
    const headers = await as('bps-researcher', 'td-bps-both');
    const both = await post({ query: OTHER_TEXT, documentId: otherId }, headers);
    expect(both.status).toBe(400);
    expect(codes(both)).toEqual(['BAD_USER_INPUT']);
    const register = await post(
      {
        query: OTHER_TEXT,
        extensions: { persistedQuery: { version: 1, sha256Hash: otherId.slice(7) } },
      },
      await as('bps-researcher', 'td-bps-register'),
    );
    expect(register.status).toBe(400);
    expect(codes(register)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
  });
});

describe('the audit chain with documents', () => {
  it('verifies, and catches a document id or application changed afterwards', async () => {
    const keys = await publicKeysOf(f.gateway.dataDir);
    expect(await verifyAuditChain(f.db.pool, { publicKeys: keys })).toMatchObject({ ok: true });
    const { rows } = await f.db.pool.query<{ id: string }>(
      "SELECT id FROM audit_event WHERE request_id = 'td-post'",
    );
    const id = Number(rows[0]!.id);
    await f.db.pool.query("UPDATE audit_event SET app = 'dtks-dashboard@0.0.1' WHERE id = $1", [
      id,
    ]);
    expect(await verifyAuditChain(f.db.pool, { publicKeys: keys })).toMatchObject({
      ok: false,
      firstBadId: id,
      problem: 'modified',
    });
    await f.db.pool.query(
      `UPDATE audit_event SET app = '${DASHBOARD_APP}@${VERSION}', document_id = NULL WHERE id = $1`,
      [id],
    );
    expect(await verifyAuditChain(f.db.pool, { publicKeys: keys })).toMatchObject({
      ok: false,
      firstBadId: id,
    });
    await f.db.pool.query('UPDATE audit_event SET document_id = $1 WHERE id = $2', [
      overview.id,
      id,
    ]);
    expect(await verifyAuditChain(f.db.pool, { publicKeys: keys })).toMatchObject({ ok: true });
  });
});

describe('publishing', () => {
  it('is the owner’s: the serving gateway’s role may read documents, never add or change one', async () => {
    const { rows } = await f.db.runtime.pool.query(
      'SELECT count(*)::int AS n FROM persisted_document WHERE app = $1',
      [DASHBOARD_APP],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    for (const statement of [
      "INSERT INTO persisted_document (app, version, id, body) VALUES ('x', '1', 'sha256:' || repeat('0', 64), '{ me { clientId } }')",
      "UPDATE persisted_document SET body = '{ me { clientId } }'",
      'DELETE FROM persisted_document',
    ]) {
      await expect(f.db.runtime.pool.query(statement), statement).rejects.toThrow(
        /permission denied/,
      );
    }
  });
});

describe('the demo', () => {
  it('publishes the dashboard manifest once per version; its dashboard client is trusted-only for dtks-dashboard', async () => {
    expect(await publishDashboardDocuments(f.db.db, { version: VERSION })).toMatchObject({
      app: DASHBOARD_APP,
      version: VERSION,
      outcome: 'unchanged',
    });
    const { rows } = await f.db.pool.query(
      "SELECT trusted_documents_only, document_apps FROM agreement WHERE id = 'pusdatin-dashboard-pks'",
    );
    expect(rows).toEqual([{ trusted_documents_only: true, document_apps: [DASHBOARD_APP] }]);
  });

  it('saves the demo dashboard again when its trusted-documents setting was changed', async () => {
    await f.db.pool.query(
      "UPDATE agreement SET trusted_documents_only = false WHERE id = 'pusdatin-dashboard-pks'",
    );
    await ensureDemoClients(f.db.db, f.gateway.dataDir);
    const { rows } = await f.db.pool.query(
      "SELECT trusted_documents_only FROM agreement WHERE id = 'pusdatin-dashboard-pks'",
    );
    expect(rows).toEqual([{ trusted_documents_only: true }]);
  });
});

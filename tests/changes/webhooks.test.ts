import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { newWebhookSecret } from '../../src/changes/webhook-signature.js';
import type { WebhookDeliveryOptions } from '../../src/changes/webhook-deliveries.js';
import { setAgreementWebhook } from '../../src/db/queries/client-queries.js';
import { sealSubject, SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { changeSnapshot } from '../support/changed-snapshot.js';
import { generateSnapshotText } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * Change feeds, push side (issue #14, CONTRACT §11): Standard Webhooks deliveries to real HTTP
 * receivers on loopback, through failures, a slow receiver, a gateway killed mid-delivery, and
 * the operators' `deliveries` commands.
 */
const FAST: Partial<WebhookDeliveryOptions> = {
  firstRetryMs: 300,
  maxRetryMs: 1_000,
  timeoutMs: 5_000,
  dispatchEveryMs: 100,
  workers: 4,
  pollingIntervalSeconds: 0.5,
  jobExpirySeconds: 2,
  maintenanceIntervalSeconds: 1,
};

interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number | null;
}

type Behaviour = 'ok' | 'fail' | 'hang';

/** A receiver on loopback that records every request and answers as told. */
class Receiver {
  readonly requests: Received[] = [];
  behaviour: (n: number) => Behaviour = () => 'ok';
  private readonly hung: Array<{ res: http.ServerResponse; received: Received }> = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        answered: null,
      };
      this.requests.push(received);
      const behaviour = this.behaviour(this.requests.length);
      if (behaviour === 'hang') this.hung.push({ res, received });
      else this.answer(res, received, behaviour === 'ok' ? 204 : 503);
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/dtks`;
  }

  /** Answers the requests left hanging. */
  release(status: number): void {
    for (const { res, received } of this.hung.splice(0)) this.answer(res, received, status);
  }

  async close(): Promise<void> {
    this.release(503);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The events received in 2xx-answered requests, by eventId. */
  delivered(): Map<string, Record<string, unknown>> {
    const events = new Map<string, Record<string, unknown>>();
    for (const r of this.requests) {
      if (r.answered === null || r.answered >= 300) continue;
      const body = JSON.parse(r.body) as { data: { events: Array<Record<string, unknown>> } };
      for (const e of body.data.events) events.set(e.eventId as string, e);
    }
    return events;
  }

  private answer(res: http.ServerResponse, received: Received, status: number): void {
    received.answered = status;
    res.writeHead(status).end();
  }
}

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let texts: { households: string; members: string; recipients: string };
let changed: { households: string; members: string; recipients: string };
let sealKey: Buffer;
const bansos = new Receiver();
const pbi = new Receiver();
const secrets: Record<string, string> = {};
let publicKey = '';

const SUBSCRIBE = `mutation($p: Program!, $n: [NIK!]!) { subscribeSubjects(program: $p, niks: $n) { subscribed } }`;
const CHANGES = `query($after: String) { changes(first: 100, after: $after) {
  edges { node { eventId ... on EligibilityChange { program subjectRef nik decisionId
    previous { eligible reason ruleVersion dataAsOf } current { eligible reason ruleVersion dataAsOf } } } }
  pageInfo { hasNextPage endCursor } } }`;

beforeAll(async () => {
  db = await createTestDatabase();
  texts = await generateSnapshotText({
    persons: 1500,
    seed: 'webhooks',
    asOf: '2026-06-30',
    regions: await readRegions(),
    population: await readPopulation(),
  });
  changed = changeSnapshot(texts);
  await importText(db, texts, '2026-06-30');
  gateway = await startTestGateway(db, { webhooks: FAST });
  access = await demoAccess(db, gateway);
  sealKey = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
  await Promise.all([bansos.start(), pbi.start()]);
  for (const [client, receiver] of [
    ['kemensos-bansos', bansos],
    ['kemenkes-pbi', pbi],
  ] as const) {
    secrets[client] = newWebhookSecret();
    await setAgreementWebhook(db.db, client, {
      url: receiver.url,
      secretSealed: sealSubject(sealKey, secrets[client]!),
    });
  }
  const niks = [...texts.members.matchAll(/^(\d{16}),/gm)].map((m) => m[1]!);
  const follow = async (client: string, purpose: string, program: string, n: string[]) => {
    const r = await graphql(gateway, SUBSCRIBE, {
      variables: { p: program, n },
      headers: await access.as(client, purpose),
    });
    expect(r.body.errors).toBeUndefined();
  };
  await follow(
    'kemensos-bansos',
    'BANSOS_DISTRIBUTION',
    'BPNT',
    niks.filter((_, i) => i % 2 === 0),
  );
  await follow(
    'kemensos-bansos',
    'BANSOS_DISTRIBUTION',
    'PKH',
    niks.filter((_, i) => i % 3 === 0),
  );
  await follow(
    'kemenkes-pbi',
    'PBI_JK_VERIFICATION',
    'PBI_JK',
    niks.filter((_, i) => i % 2 === 1),
  );
  const keys = (await (await fetch(`${gateway.url}/.well-known/webhooks.json`)).json()) as {
    publicKeys: string[];
  };
  publicKey = keys.publicKeys[0]!;
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([bansos.close(), pbi.close()]);
  await db?.close();
});

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 30_000) {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The agency's events as `changes` gives them, by eventId (every page). */
async function pulled(client: string, purpose: string) {
  const events = new Map<string, Record<string, unknown>>();
  let after: string | null = null;
  for (;;) {
    const r = await graphql(gateway, CHANGES, {
      variables: { after },
      headers: await access.as(client, purpose),
    });
    expect(r.body.errors).toBeUndefined();
    const page = (
      r.body.data as {
        changes: {
          edges: Array<{ node: Record<string, unknown> }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }
    ).changes;
    for (const e of page.edges) events.set(e.node.eventId as string, e.node);
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

function verifiesByKey(body: string, headers: Record<string, string>): boolean {
  const raw = Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  const content = Buffer.from(
    `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`,
    'utf8',
  );
  return headers['webhook-signature']!.split(' ').some((s) => {
    const [version, value] = s.split(',');
    return version === 'v1a' && verify(null, content, key, Buffer.from(value!, 'base64'));
  });
}

function verifiesBySecret(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

async function deliveryStates(client: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ state: string }>(
    `SELECT state FROM webhook_delivery
      WHERE agreement_id = (SELECT agreement_id FROM client WHERE id = $1) ORDER BY id`,
    [client],
  );
  return rows.map((r) => r.state);
}

describe('webhook deliveries of change events', () => {
  it('delivers every event, signed and batched, while a hanging receiver keeps nobody waiting', async () => {
    pbi.behaviour = (n) => (n === 1 ? 'hang' : 'ok');
    await importText(db, changed, '2026-09-30', sealKey);
    const bansosEvents = await pulled('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    expect(bansosEvents.size).toBeGreaterThan(5);
    await until(
      'kemensos-bansos has every event',
      () => bansos.delivered().size === bansosEvents.size,
    );
    // kemenkes-pbi's receiver has not answered its first request yet, and GraphQL answers.
    expect(pbi.requests.length).toBe(1);
    expect(pbi.requests[0]!.answered).toBeNull();
    expect((await pulled('kemenkes-pbi', 'PBI_JK_VERIFICATION')).size).toBeGreaterThan(5);

    pbi.release(500);
    const pbiEvents = await pulled('kemenkes-pbi', 'PBI_JK_VERIFICATION');
    await until('kemenkes-pbi has every event', () => pbi.delivered().size === pbiEvents.size);
    // The failed attempt came again with the same webhook-id.
    const retried = pbi.requests.filter(
      (r) => r.headers['webhook-id'] === pbi.requests[0]!.headers['webhook-id'],
    );
    expect(retried.length).toBeGreaterThan(1);
    expect(retried.at(-1)!.answered).toBe(204);

    // What was pushed is what `changes` gives, NIK only where the agreement shows it.
    for (const [receiver, events] of [
      [bansos, bansosEvents],
      [pbi, pbiEvents],
    ] as const) {
      for (const [id, event] of receiver.delivered()) {
        const { sequence, kind, occurredAt, ...rest } = event;
        expect(typeof sequence).toBe('number');
        expect(kind).toBe('ELIGIBILITY_CHANGED');
        expect(typeof occurredAt).toBe('string');
        expect(rest).toEqual(events.get(id));
      }
    }
    expect([...bansos.delivered().values()].every((e) => typeof e.nik === 'string')).toBe(true);
    expect([...pbi.delivered().values()].every((e) => e.nik === null)).toBe(true);
    // Many events per POST.
    expect(
      bansos.requests.some(
        (r) => (JSON.parse(r.body) as { data: { events: unknown[] } }).data.events.length > 1,
      ),
    ).toBe(true);

    // Signed: by the published key and by the agreement's own secret; a changed body fails both.
    for (const [receiver, client] of [
      [bansos, 'kemensos-bansos'],
      [pbi, 'kemenkes-pbi'],
    ] as const) {
      for (const r of receiver.requests) {
        expect(verifiesByKey(r.body, r.headers)).toBe(true);
        expect(verifiesBySecret(secrets[client]!, r.body, r.headers)).toBe(true);
        const tampered = r.body.replace('"ELIGIBLE"', '"NOT_ELIGIBLE"');
        expect(tampered).not.toBe(r.body);
        expect(verifiesByKey(tampered, r.headers)).toBe(false);
        expect(verifiesBySecret(secrets[client]!, tampered, r.headers)).toBe(false);
        // Another agency's secret does not verify it.
        const other = client === 'kemenkes-pbi' ? 'kemensos-bansos' : 'kemenkes-pbi';
        expect(verifiesBySecret(secrets[other]!, r.body, r.headers)).toBe(false);
      }
    }
    // Each agency got only its own events.
    const bansosIds = new Set(bansos.delivered().keys());
    expect([...pbi.delivered().keys()].some((id) => bansosIds.has(id))).toBe(false);

    // The gateway records an attempt once the receiver's answer is in: soon after it.
    for (const client of ['kemensos-bansos', 'kemenkes-pbi']) {
      await until(`${client}'s deliveries are DELIVERED`, async () =>
        (await deliveryStates(client)).every((s) => s === 'DELIVERED'),
      );
    }
    // Every transmitted attempt is an audited disclosure of its subjects.
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_event
        WHERE client_id = 'kemensos-bansos' AND operation = 'webhook:changes'
          AND outcome = 'DISCLOSED' AND cardinality(subjects) > 0`,
    );
    expect(Number(rows[0]!.n)).toBe(bansos.requests.length);
  });

  it('delivers everything once a receiver that was down comes back', async () => {
    const before = bansos.requests.length;
    let down = true;
    bansos.behaviour = () => (down ? 'fail' : 'ok');
    await importText(db, texts, '2026-12-31', sealKey); // back to the first snapshot
    const events = await pulled('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const already = bansos.delivered().size;
    await until('two failed attempts', () => bansos.requests.length >= before + 2);
    down = false;
    await until('kemensos-bansos has every event', () => bansos.delivered().size === events.size);
    expect(events.size).toBeGreaterThan(already);
    const ids = bansos.requests.slice(before).map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBeLessThan(ids.length); // some id came again
  });

  it('delivers again, with the same webhook-id, what a gateway killed mid-delivery was sending', async () => {
    await gateway.close();
    const before = bansos.requests.length;
    bansos.behaviour = (n) => (n === before + 1 ? 'hang' : 'ok');
    const child = await startGatewayProcess();
    try {
      await importText(db, changed, '2027-03-31', sealKey);
      await until(
        'the killed gateway sent its first request',
        () => bansos.requests.length > before,
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const cut = bansos.requests[before]!;
    bansos.release(503); // the dead process will never read the answer
    gateway = await startTestGateway(db, { webhooks: FAST, dataDir: gateway.dataDir });
    const events = await pulled('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    await until('kemensos-bansos has every event', () => bansos.delivered().size === events.size);
    const again = bansos.requests
      .slice(before + 1)
      .filter((r) => r.headers['webhook-id'] === cut.headers['webhook-id']);
    expect(again.length).toBeGreaterThan(0);
    expect(again.at(-1)!.answered).toBe(204);
  });

  it('gives up after the retry window (DEAD); operators list, retry and replay deliveries', async () => {
    await gateway.close();
    gateway = await startTestGateway(db, {
      webhooks: { ...FAST, giveUpAfterMs: 1_500 },
      dataDir: gateway.dataDir,
    });
    const since = new Date().toISOString();
    const before = bansos.requests.length;
    bansos.behaviour = () => 'fail';
    await importText(db, texts, '2027-06-30', sealKey);
    await until('a delivery is DEAD', async () =>
      (await deliveryStates('kemensos-bansos')).includes('DEAD'),
    );
    await until(
      'no delivery is PENDING',
      async () => !(await deliveryStates('kemensos-bansos')).includes('PENDING'),
    );
    const dead = await cli([
      'deliveries',
      'list',
      '--client',
      'kemensos-bansos',
      '--state',
      'DEAD',
    ]);
    expect(dead.code).toBe(0);
    const lines = dead.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'ID\tCLIENT\tWEBHOOK_ID\tEVENTS\tSTATE\tATTEMPTS\tLAST_RESULT\tCREATED_AT\tDELIVERED_AT',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.split('\t')[4] === 'DEAD' && l.includes('HTTP 503'))).toBe(
      true,
    );
    const deadIds = new Set(lines.slice(1).map((l) => l.split('\t')[2]));

    bansos.behaviour = () => 'ok';
    const retry = await cli(['deliveries', 'retry', '--dead', '--client', 'kemensos-bansos']);
    expect(retry.stdout).toMatch(/^\d+ deliveries will be attempted again/);
    await until('nothing is DEAD any more', async () =>
      (await deliveryStates('kemensos-bansos')).every((s) => s === 'DELIVERED'),
    );
    const redelivered = bansos.requests
      .slice(before)
      .filter((r) => r.answered === 204)
      .map((r) => r.headers['webhook-id']);
    for (const id of deadIds) expect(redelivered).toContain(id);

    // A replay sends the same events again under new webhook-ids.
    const count = bansos.requests.length;
    const replay = await cli([
      'deliveries',
      'replay',
      '--client',
      'kemensos-bansos',
      '--since',
      since,
    ]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^[1-9]\d* deliveries created for kemensos-bansos/);
    await until(
      'the replay arrived',
      async () =>
        (await deliveryStates('kemensos-bansos')).every((s) => s === 'DELIVERED') &&
        bansos.requests.length > count,
    );
    const replayed = bansos.requests.slice(count);
    expect(replayed.every((r) => /_replay_/.test(r.headers['webhook-id']!))).toBe(true);
    const replayedEvents = replayed.flatMap(
      (r) => (JSON.parse(r.body) as { data: { events: Array<{ eventId: string }> } }).data.events,
    );
    expect(replayedEvents.length).toBeGreaterThan(0);
    const known = bansos.delivered();
    expect(replayedEvents.every((e) => known.has(e.eventId))).toBe(true);

    // Bad input is refused with one clear line.
    const bad = await cli(['deliveries', 'retry']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/give delivery ids, or --dead/);
  });
});

function startGatewayProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/gateway-process.ts'], {
    env: {
      ...process.env,
      RUNTIME_URL: db.runtime.url,
      DTKS_DATA_DIR: gateway.dataDir,
      WEBHOOK_OPTIONS: JSON.stringify(FAST),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => reject(new Error(`gateway process exited ${code}: ${err}`)));
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve(child);
    });
  });
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_RUNTIME_URL: '',
      DTKS_DATA_DIR: gateway.dataDir,
      LOG_LEVEL: 'warn',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

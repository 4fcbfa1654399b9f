import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { DCI_CALLBACKS_HEADER, registerDci } from '../../src/commands/dci.command.js';
import { saveDciClientSettings } from '../../src/db/queries/dci-queries.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import {
  gatewayDciKey,
  signedByGateway as verifiedByGateway,
} from '../support/dci-gateway-signature.js';
import { runInProcess } from '../support/cli-in-process.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * The asynchronous DCI API and signatures (issue #15): ACK, then the answer as a signed callback
 * to the sender's registered address, at least once through a failing receiver; subscriptions
 * through the change feeds; stale, replayed and badly signed messages refused. The signature
 * checks here are written from the spec's form, not with the gateway's code.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture), {
  dciCallbacks: { firstRetryMs: 200, maxRetryMs: 400, pollingIntervalSeconds: 1 },
});

const BUDI = '3201011505809001'; // region 3201

interface Callback {
  path: string;
  body: {
    signature: string;
    header: Record<string, unknown>;
    message: Record<string, unknown> & { transaction_id: string; correlation_id: string };
  };
}

/** The SP-MIS side: takes callbacks; fails the first `failFirst` of them. */
class Receiver {
  readonly received: Callback[] = [];
  attempts = 0;
  failFirst = 0;
  url = '';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.attempts += 1;
      if (this.failFirst > 0) {
        this.failFirst -= 1;
        res.writeHead(503).end();
        return;
      }
      this.received.push({
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Callback['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/spmis/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async waitFor(correlationId: string, timeoutMs = 15_000): Promise<Callback> {
    return this.waitUntil((c) => c.body.message.correlation_id === correlationId, timeoutMs);
  }

  async waitUntil(match: (c: Callback) => boolean, timeoutMs = 15_000): Promise<Callback> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error('no such callback arrived');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const receiver = new Receiver();
let gatewayKey: KeyObject;

beforeAll(async () => {
  await receiver.start();
  for (const client of ['pemda-3201', 'kemensos-bansos']) {
    await saveDciClientSettings(db.db, client, { callbackUrl: receiver.url });
  }
  gatewayKey = await gatewayDciKey(gateway.url);
});
afterAll(() => receiver.close());

let n = 0;
function envelope(
  action: string,
  message: Record<string, unknown>,
  header: Record<string, unknown> = {},
): { signature?: string; header: Record<string, unknown>; message: Record<string, unknown> } {
  n += 1;
  return {
    signature: 'unsigned-stub',
    header: {
      version: '1.0.0',
      message_id: `msg-${Date.now()}-${n}`,
      message_ts: new Date().toISOString(),
      action,
      sender_id: 'sp-mis-test',
      sender_uri: `${receiver.url}registry/on-${action}`,
      receiver_id: 'dtks-gateway',
      total_count: 1,
      ...header,
    },
    message,
  };
}

function searchFor(nik: string, header: Record<string, unknown> = {}) {
  return envelope(
    'search',
    {
      transaction_id: `txn-${n + 1}`,
      search_request: [
        {
          reference_id: 'ref-1',
          timestamp: new Date().toISOString(),
          search_criteria: { query_type: 'idtype-value', query: { type: 'NIN', value: nik } },
        },
      ],
    },
    header,
  );
}

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}/dci/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      signature?: string;
      header?: Record<string, unknown>;
      message: Record<string, unknown>;
    },
  };
}

/** The newest callback's row, once its attempt is recorded (the receiver may answer first). */
async function lastCallbackOnceDelivered() {
  for (let i = 0; ; i++) {
    const { rows } = await db.pool.query<{ state: string; attempts: number; body: Buffer | null }>(
      `SELECT state, attempts, body_sealed AS body FROM dci_callback ORDER BY id DESC LIMIT 1`,
    );
    if (rows[0]!.state !== 'PENDING' || i === 100) return rows[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Verifies a signature in the spec's form with the gateway's published key. */
function signedByGateway(body: { signature?: string; header?: unknown; message?: unknown }) {
  return verifiedByGateway(body, gatewayKey);
}

describe('asynchronous search', () => {
  it('answers ACK, then calls back the sender with the signed answer of the sync search', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const request = searchFor(BUDI);
    const ack = await post('registry/search', request, headers);
    expect(ack.status).toBe(202);
    expect(ack.body.message.ack_status).toBe('ACK');
    const callback = await receiver.waitFor(ack.body.message.correlation_id as string);
    expect(callback.path).toBe('/spmis/registry/on-search');
    expect(callback.body.header.action).toBe('on-search');
    expect(callback.body.message.transaction_id).toBe(request.message.transaction_id);
    expect(signedByGateway(callback.body)).toBe(true);
    const items = callback.body.message.search_response as Array<{
      status: string;
      data: { reg_records: Array<{ identifier: { identifier_value: string } }> };
    }>;
    expect(items[0]!.status).toBe('succ');
    // Masked as the agreement says, exactly as the sync answer.
    const sync = await post('registry/sync/search', searchFor(BUDI), headers);
    const syncItems = sync.body.message.search_response as typeof items;
    expect(items[0]!.data.reg_records).toEqual(syncItems[0]!.data.reg_records);
    expect(signedByGateway(sync.body)).toBe(true);

    // Delivered: the sealed body is dropped.
    const row = await lastCallbackOnceDelivered();
    expect(row).toMatchObject({ state: 'DELIVERED', body: null });
  });

  it('keeps trying a failing receiver, with the same answer, until it takes it', async () => {
    receiver.failFirst = 2;
    const before = receiver.attempts;
    const ack = await post(
      'registry/search',
      searchFor(BUDI),
      await access.as('pemda-3201', 'VERIVALI'),
    );
    expect(ack.status).toBe(202);
    const callback = await receiver.waitFor(ack.body.message.correlation_id as string);
    expect(receiver.attempts - before).toBe(3);
    expect(callback.body.header.action).toBe('on-search');
    expect(await lastCallbackOnceDelivered()).toMatchObject({ attempts: 3, state: 'DELIVERED' });
  });

  it('lists the callbacks for operators, newest first, never their bodies (dci callbacks)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      DTKS_DATA_DIR: gateway.dataDir,
      LOG_LEVEL: 'silent',
    });
    const callbacks = (args: string[]) => runInProcess(registerDci, ['dci', 'callbacks', ...args]);
    try {
      const listed = await callbacks(['--client', 'pemda-3201', '--limit', '2']);
      expect(listed.code).toBe(0);
      const [header, newest, ...rest] = listed.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
      expect(header).toEqual([...DCI_CALLBACKS_HEADER]);
      expect(rest).toHaveLength(1);
      // The callback of the previous test: delivered at the third attempt.
      const [, client, action, url, state, attempts, , , deliveredAt] = newest!;
      expect({ client, action, state, attempts }).toEqual({
        client: 'pemda-3201',
        action: 'on-search',
        state: 'DELIVERED',
        attempts: '3',
      });
      expect(url!.startsWith(receiver.url)).toBe(true);
      expect(Number.isNaN(Date.parse(deliveredAt!))).toBe(false);
      expect(listed.stdout).not.toContain(BUDI);

      const { rows } = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM dci_callback WHERE state = 'DEAD'",
      );
      const dead = await callbacks(['--state', 'dead']);
      expect(dead.stdout.trim().split('\n')).toHaveLength(1 + rows[0]!.n);
      const bad = await callbacks(['--state', 'LOST']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('PENDING | DELIVERED | DEAD');
    } finally {
      process.env = saved;
    }
  });

  it('stores a pending answer sealed: no NIK in clear', async () => {
    receiver.failFirst = 1;
    const ack = await post(
      'registry/search',
      searchFor(BUDI),
      await access.as('pemda-3201', 'VERIVALI'),
    );
    const { rows } = await db.pool.query<{ body: Buffer | null }>(
      `SELECT body_sealed AS body FROM dci_callback ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]!.body).not.toBeNull();
    expect(rows[0]!.body!.includes(Buffer.from(BUDI))).toBe(false);
    await receiver.waitFor(ack.body.message.correlation_id as string);
  });

  it('sends nothing to an address outside the agreement, nor without one registered', async () => {
    const count = receiver.attempts;
    const elsewhere = await post(
      'registry/search',
      searchFor(BUDI, { sender_uri: 'http://127.0.0.1:1/steal' }),
      await access.as('pemda-3201', 'VERIVALI'),
    );
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toMatchObject({
      ack_status: 'ERR',
      error: { code: 'err.request.forbidden' },
    });
    const unregistered = await post(
      'registry/search',
      searchFor(BUDI),
      await access.as('pemda-3171', 'VERIVALI'),
    );
    expect(unregistered.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.attempts).toBe(count);
  });
});

describe('subscriptions', () => {
  const subscribe = (nik: string, reference = 'ref-1') =>
    envelope('subscribe', {
      transaction_id: `txn-sub-${n + 1}`,
      subscribe_request: [
        {
          reference_id: reference,
          timestamp: new Date().toISOString(),
          subscribe_criteria: {
            reg_event_type: 'UPDATE',
            filter: { type: 'UIN', value: nik },
            notify_record_type: 'Member',
          },
        },
      ],
    });
  const unsubscribe = (codes: string[]) =>
    envelope('unsubscribe', {
      transaction_id: `txn-unsub-${n + 1}`,
      timestamp: new Date().toISOString(),
      subscription_codes: codes,
    });

  async function followed(): Promise<string[]> {
    const { rows } = await db.pool.query<{ program: string }>(
      `SELECT s.program FROM change_subscription s JOIN client c ON c.agreement_id = s.agreement_id
        WHERE c.id = 'kemensos-bansos' ORDER BY s.program`,
    );
    return rows.map((r) => r.program);
  }

  it('a ministry follows a NIK for its programs and unsubscribes with the code', async () => {
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const ack = await post('registry/subscribe', subscribe(BUDI), headers);
    expect(ack.status).toBe(202);
    const on = await receiver.waitFor(ack.body.message.correlation_id as string);
    expect(on.body.header.action).toBe('on-subscribe');
    const [item] = on.body.message.subscribe_response as Array<{
      status: string;
      subscriptions: Array<{ code: string; status: string }>;
    }>;
    expect(item!.status).toBe('succ');
    const code = item!.subscriptions[0]!.code;
    expect(item!.subscriptions[0]!.status).toBe('subscribe');
    expect(await followed()).toEqual(['BPNT', 'PKH']);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dci_subscription WHERE position($1 in subject_ref) > 0`,
      [BUDI],
    );
    expect(rows[0]!.n).toBe(0); // the pseudonym, never the NIK

    const again = await post('registry/subscribe', subscribe(BUDI), headers);
    const onAgain = await receiver.waitFor(again.body.message.correlation_id as string);
    expect(onAgain.body.message.subscribe_response).toMatchObject([
      { status: 'rjct', status_reason_code: 'rjct.event.already_subscribed' },
    ]);

    const off = await post('registry/unsubscribe', unsubscribe([code]), headers);
    const onOff = await receiver.waitFor(off.body.message.correlation_id as string);
    expect(onOff.body.header.action).toBe('on-unsubscribe');
    expect(onOff.body.message).toMatchObject({
      status: 'succ',
      subscription_status: [{ code, status: 'unsubscribe' }],
    });
    expect(await followed()).toEqual([]);

    const twice = await post('registry/unsubscribe', unsubscribe([code, 'sub-unknown']), headers);
    const onTwice = await receiver.waitFor(twice.body.message.correlation_id as string);
    expect(onTwice.body.message).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.subscription_code.invalid',
    });
  });

  it('refuses what is not a NIK, and local governments, with the spec codes', async () => {
    const ministry = await post(
      'registry/subscribe',
      subscribe('TEST-001'),
      await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION'),
    );
    const onMinistry = await receiver.waitFor(ministry.body.message.correlation_id as string);
    expect(onMinistry.body.message.subscribe_response).toMatchObject([
      { status: 'rjct', status_reason_code: 'rjct.person_id.invalid' },
    ]);
    const pemda = await post(
      'registry/subscribe',
      subscribe(BUDI),
      await access.as('pemda-3201', 'VERIVALI'),
    );
    const onPemda = await receiver.waitFor(pemda.body.message.correlation_id as string);
    expect(onPemda.body.message.subscribe_response).toMatchObject([
      { status: 'rjct', status_reason_code: 'rjct.notify_details.invalid' },
    ]);
  });

  it('txn/status reports a subscribe transaction by its id, as a callback', async () => {
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const request = subscribe('TEST-002');
    const ack = await post('registry/subscribe', request, headers);
    await receiver.waitFor(ack.body.message.correlation_id as string);
    const status = await post(
      'registry/txn/status',
      envelope('txn-status', {
        transaction_id: 'txn-status-1',
        txnstatus_request: {
          reference_id: 'ref-status',
          txn_type: 'subscribe',
          attribute_type: 'transaction_id',
          attribute_value: request.message.transaction_id,
        },
      }),
      headers,
    );
    const on = await receiver.waitFor(status.body.message.correlation_id as string);
    expect(on.body.header.action).toBe('txn-on-status');
    expect(on.body.message.txnstatus_response).toMatchObject({
      txn_type: 'subscribe',
      txn_status: {
        transaction_id: request.message.transaction_id,
        subscribe_response: [{ reference_id: 'ref-1', status: 'rjct' }],
      },
    });
  });
});

describe('stale messages', () => {
  it('rejects a message_ts outside five minutes; an unsigned message id seen before is answered', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const stale = await post(
      'registry/sync/search',
      searchFor(BUDI, { message_ts: new Date(Date.now() - 10 * 60_000).toISOString() }),
      headers,
    );
    expect(stale.body.header).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.message_ts.invalid',
    });
    expect(stale.body.message.search_response).toEqual([]);
    // Unsigned messages are authenticated by the bearer token alone (docs/dci.md "Replays").
    const first = searchFor(BUDI);
    expect((await post('registry/sync/search', first, headers)).body.header!.status).toBe('succ');
    expect((await post('registry/sync/search', first, headers)).body.header!.status).toBe('succ');
  });
});

describe('sender signatures', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);

  /** Signs as the spec's form says (written here from docs/dci.md, not with the gateway's code). */
  function signed(
    e: ReturnType<typeof envelope>,
    options: { key?: typeof privateKey; created?: number; senderId?: string } = {},
  ) {
    const created = options.created ?? Math.floor(Date.now() / 1000);
    const expires = created + 300;
    const digest = createHash('blake2b512')
      .update(canonicalize({ header: e.header, message: e.message })!)
      .digest('base64');
    const content = `(created): ${created}\n(expires): ${expires}\ndigest: BLAKE-512=${digest}`;
    const signature = sign(null, Buffer.from(content), options.key ?? privateKey).toString(
      'base64',
    );
    return {
      ...e,
      signature:
        `Signature: namespace="spdci", kidId="${options.senderId ?? 'sp-mis-test'}|k1|ed25519", ` +
        `algorithm="ed25519", created="${created}", expires="${expires}", ` +
        `headers="(created) (expires) digest", signature="${signature}"`,
    };
  }

  beforeAll(async () => {
    await saveDciClientSettings(db.db, 'pemda-3201-review', { publicKey: raw });
  });

  it('a client with a registered key must sign, with that key, the message as sent', async () => {
    const headers = await access.as('pemda-3201-review', 'VERIVALI');
    const ok = await post('registry/sync/search', signed(searchFor(BUDI)), headers);
    expect(ok.status).toBe(200);
    expect(ok.body.header!.status).toBe('succ');

    const unsigned = await post('registry/sync/search', searchFor(BUDI), headers);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toMatchObject({ error: { code: 'err.signature.missing' } });

    const tampered = signed(searchFor(BUDI));
    (tampered.message.search_request as Array<{ reference_id: string }>)[0]!.reference_id = 'x';
    const refusals = [
      tampered,
      signed(searchFor(BUDI), { key: other.privateKey }),
      signed(searchFor(BUDI), { created: Math.floor(Date.now() / 1000) - 3600 }),
      signed(searchFor(BUDI), { senderId: 'someone-else' }),
      { ...searchFor(BUDI), signature: 'invalid-signature' },
    ];
    for (const body of refusals) {
      const refused = await post('registry/sync/search', body, headers);
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatchObject({ error: { code: 'err.signature.invalid' } });
    }
  });

  it('a signed message is taken once: its id again is a replay, from any gateway', async () => {
    const headers = await access.as('pemda-3201-review', 'VERIVALI');
    const message = signed(searchFor(BUDI));
    const first = await post('registry/sync/search', message, headers);
    expect(first.body.header!.status).toBe('succ');
    const replay = await post('registry/sync/search', message, headers);
    expect(replay.status).toBe(200);
    expect(replay.body.header).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.message_id.duplicate',
    });
    expect(replay.body.message.search_response).toEqual([]);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dci_message WHERE client_id = 'pemda-3201-review' AND message_id = $1`,
      [message.header.message_id],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('a client without a key may send unsigned messages, but a bad signature is refused', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const withoutSignature = searchFor(BUDI);
    delete withoutSignature.signature;
    expect((await post('registry/sync/search', withoutSignature, headers)).status).toBe(200);
    const bad = await post(
      'registry/search',
      { ...searchFor(BUDI), signature: 'invalid-signature' },
      headers,
    );
    expect(bad.status).toBe(401);
    expect(bad.body.message).toMatchObject({
      ack_status: 'ERR',
      error: { code: 'err.signature.invalid' },
    });
  });
});

describe('notify', () => {
  interface NotifyEvent {
    reference_id: string;
    data: { reg_record_type: string; reg_records: Record<string, unknown> };
  }
  const eventsOf = (c: Callback) => c.body.message.notify_event as NotifyEvent[];

  it('sends the change events of an import to the registered address, signed and audited', async () => {
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const ack = await post(
      'registry/subscribe',
      envelope('subscribe', {
        transaction_id: 'txn-notify-sub',
        subscribe_request: [
          {
            reference_id: 'ref-1',
            timestamp: new Date().toISOString(),
            subscribe_criteria: {
              reg_event_type: 'UPDATE',
              filter: { type: 'NIN', value: BUDI },
              notify_record_type: 'Member',
            },
          },
        ],
      }),
      headers,
    );
    await receiver.waitFor(ack.body.message.correlation_id as string);

    // A new snapshot in which Budi's household H1 (region 3201) moves from decile 2 to 9.
    const text = validSnapshot();
    text.households = text.households.replace(
      '"Jl. Melati No. 1, RT 001/RW 002",2,',
      '"Jl. Melati No. 1, RT 001/RW 002",9,',
    );
    await importText(
      db,
      text,
      '2026-09-30',
      await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY),
    );

    const isNotify = (kind: string) => (c: Callback) =>
      c.path === '/spmis/registry/notify' &&
      eventsOf(c).some((e) => e.data.reg_record_type === kind);
    const ministry = await receiver.waitUntil(isNotify('EligibilityChange'));
    expect(ministry.body.header.action).toBe('notify');
    expect(signedByGateway(ministry.body)).toBe(true);
    const decisions = eventsOf(ministry).map((e) => e.data.reg_records);
    expect(decisions.map((d) => d.program).sort()).toEqual(['BPNT', 'PKH']);
    // The events as the pull API gives the same client (the NIK as its policy shows it).
    const pulled = await graphql(
      gateway,
      `
        {
          changes(first: 100) {
            edges {
              node {
                eventId
                ... on EligibilityChange {
                  program
                  nik
                  decisionId
                  current {
                    eligible
                  }
                }
              }
            }
          }
        }
      `,
      { headers },
    );
    const byId = new Map(
      (
        pulled.body.data as { changes: { edges: Array<{ node: Record<string, unknown> }> } }
      ).changes.edges.map((e) => [e.node.eventId, e.node]),
    );
    for (const d of decisions) {
      expect(d).toMatchObject({ kind: 'ELIGIBILITY_CHANGED', current: { eligible: false } });
      expect(d).toMatchObject(byId.get(d.eventId)!);
    }

    const region = await receiver.waitUntil(isNotify('HouseholdChange'));
    const h1 = eventsOf(region).find((e) => e.data.reg_records.householdId === 'H1');
    expect(h1!.data.reg_records).toMatchObject({ change: 'CHANGED', regionCode: '3201011001' });
    expect(h1!.data.reg_records.fields).toContain('decile');
    // Only the region's households: H2 (3171) is another region's.
    expect(eventsOf(region).some((e) => e.data.reg_records.householdId === 'H2')).toBe(false);

    const { rows } = await db.pool.query<{ client_id: string; n: number }>(
      `SELECT client_id, cardinality(subjects)::int AS n FROM audit_event
        WHERE operation = 'dci:notify' ORDER BY client_id`,
    );
    expect(rows.map((r) => r.client_id)).toEqual(['kemensos-bansos', 'pemda-3201']);
    expect(rows.every((r) => r.n > 0)).toBe(true);
  });
});

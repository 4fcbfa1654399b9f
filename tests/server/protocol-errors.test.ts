import { createHash } from 'node:crypto';
import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubSyntaxError } from '../../src/server/graphql-server.js';
import { TOO_COMPLEX_MESSAGE } from '../../src/server/operation-limits.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** Issue 11, items 6 and 8: what the gateway answers to malformed or probing requests. */

const NIK = '3201011505809001'; // Budi Santoso, household H1, region 3201
const SECRETS = ['Budi', 'Santoso', NIK, 'GraphQL request'];

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let pemda: Record<string, string>;
/** Every line the gateway logged (pino JSON). */
const logged: Array<{ level: number; msg: string }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logged.push(JSON.parse(line)) },
  );
  gateway = await startTestGateway(db, { logger });
  access = await demoAccess(db, gateway);
  pemda = await access.as('pemda-3201', 'VERIVALI');
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: unknown;
    errors?: Array<{
      message: string;
      locations?: unknown[];
      extensions?: { code?: string };
    }>;
  };
}

async function post(body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  };
}

async function get(params: Record<string, string>, headers: Record<string, string>) {
  const search = new URLSearchParams(params).toString();
  const response = await fetch(`${gateway.url}/graphql?${search}`, {
    headers: { ...headers, 'apollo-require-preflight': 'true' },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  };
}

/** Runs `act` and returns what the gateway logged at error level or above meanwhile. */
async function errorLogsOf(act: () => Promise<void>): Promise<string[]> {
  const from = logged.length;
  await act();
  return logged.slice(from).flatMap((l) => (l.level >= 50 ? [l.msg] : []));
}

function expectNoSource(answer: Answer): void {
  const text = JSON.stringify(answer.body);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('automatic persisted queries (issue 11, item 6)', () => {
  it('are off: a hash alone never answers from a cache shared with other clients', async () => {
    const query = `{ person(nik: "${NIK}") { name } }`;
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    // Client A sends the text with its hash, as an APQ client registers it, and plainly.
    const registered = await post({ query, extensions: { persistedQuery } }, pemda);
    expect(registered.status).toBe(400);
    expect(registered.body).toEqual({
      errors: [
        {
          message: 'PersistedQueryNotSupported',
          extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' },
        },
      ],
    });
    const plain = await graphql(gateway, query, { headers: pemda });
    expect(plain.body.data).toEqual({ person: { name: 'Budi Santoso' } });

    // Client B, another agency, sends only the hash: refused, no data. A hash names a published
    // trusted document or nothing (CONTRACT §10).
    const other = await access.as('pemda-3171', 'VERIVALI');
    const probe = await post({ extensions: { persistedQuery } }, other);
    expect(probe.status).toBe(400);
    expect(probe.body).not.toHaveProperty('data');
    expect(probe.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // A hash nobody sent gets the very same answer: nothing to tell them apart.
    const unknown = { version: 1, sha256Hash: sha256('{ me { clientId } }') };
    const never = await post({ extensions: { persistedQuery: unknown } }, other);
    expect(never.status).toBe(probe.status);
    expect(never.body).toEqual(probe.body);
    // The same client that sent it, and GET, are no different.
    const again = await post({ extensions: { persistedQuery } }, pemda);
    expect(again.body).toEqual(probe.body);
    const viaGet = await get({ extensions: JSON.stringify({ persistedQuery }) }, other);
    expect(viaGet.status).toBe(400);
    expect(viaGet.body).toEqual(probe.body);
  });
});

describe('parse errors and operation limits (issue 11, item 8)', () => {
  it('a syntax error answers 400 GRAPHQL_PARSE_FAILED without quoting the source', async () => {
    const cases: Array<[string, string]> = [
      [`{ person(nik: "${NIK}") { name } } Budi Santoso`, 'Syntax Error: Unexpected name.'],
      [
        '{ person(nik: "3201011505809001") { "Budi Santoso" } }',
        'Syntax Error: Expected Name, found string.',
      ],
      [`{ person(nik: ${NIK}) { name } } ${NIK}`, 'Syntax Error: Unexpected integer.'],
      ['query Budi Santoso { me { clientId } }', 'Syntax Error: Expected "{", found name.'],
      ['{ person(nik: "Budi Santoso) { name } }', 'Syntax Error: Unterminated string.'],
    ];
    const logs = await errorLogsOf(async () => {
      for (const [query, message] of cases) {
        const answer = await post({ query }, pemda);
        expect(answer.status, query).toBe(400);
        expect(answer.body).not.toHaveProperty('data');
        expect(answer.body.errors).toHaveLength(1);
        expect(answer.body.errors?.[0]?.extensions?.code, query).toBe('GRAPHQL_PARSE_FAILED');
        expect(answer.body.errors?.[0]?.message, query).toBe(message);
        expect(answer.body.errors?.[0]?.locations, query).toHaveLength(1);
        expectNoSource(answer);
      }
      const viaGet = await get({ query: cases[0]![0] }, pemda);
      expect(viaGet.status).toBe(400);
      expect(viaGet.body.errors?.[0]?.message).toBe(cases[0]![1]);
    });
    expect(logs).toEqual([]);
  });

  it('syntax error messages keep the kind of token, never its text', () => {
    const documents = [
      'Budi Santoso',
      '{ me } Budi_Santoso',
      '{ me { """Budi Santoso""" } }',
      `{ me } ${NIK}`,
      `{ me } ${NIK}.5`,
      'query Budi Santoso { me }',
      'query ($n: NIK = $Budi) { me }',
      '{ person(nik: "\\uBudi") { name } }',
      '{ person(nik: "\\qBudi Santoso") { name } }',
      '{ person(nik: "Budi\ud800Santoso") { name } }',
      '{ person(nik: "Budi Santoso\n") { name } }',
      '{ me(first: 1eBudi) }',
      '{ me(first: 0123) }',
      '{ me } é Budi',
      "{ me(name: 'Budi') }",
      'fragment on on Budi { name }',
    ];
    for (const document of documents) {
      let message = '';
      try {
        parse(document);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, document).toMatch(/^Syntax Error: /);
      const scrubbed = scrubSyntaxError(message);
      expect(scrubbed, document).toMatch(/^Syntax Error: \S/);
      for (const secret of SECRETS) expect(scrubbed, document).not.toContain(secret);
      expect(scrubbed, document).not.toMatch(/Budi|Santo|\\u|\\q|\d{6,}/);
    }
    expect(scrubSyntaxError('Syntax Error: Unexpected character: "é".')).toBe(
      'Syntax Error: Unexpected character: "é".',
    );
    expect(scrubSyntaxError('Syntax Error: Expected ":", found "}".')).toBe(
      'Syntax Error: Expected ":", found "}".',
    );
    expect(scrubSyntaxError('Syntax Error: Something new "Budi".')).toBe(
      'Syntax Error: the document is not valid GraphQL',
    );
  });

  it('too many tokens or aliases answer 400 QUERY_TOO_COMPLEX, not 500', async () => {
    const tooComplex = {
      errors: [{ message: TOO_COMPLEX_MESSAGE, extensions: { code: 'QUERY_TOO_COMPLEX' } }],
    };
    const aliases = (n: number, field: string) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const logs = await errorLogsOf(async () => {
      for (const query of [
        // 6,002 tokens, and the name past the limit is never quoted.
        `${aliases(1_000, 'snapshot { asOf }')} Budi Santoso`,
        // 3,002 tokens: within the token limit, over the alias limit (__typename counts too).
        aliases(1_000, '__typename'),
        aliases(16, '__typename'),
        `{ ${'snapshot { asOf } '.repeat(2_000)} }`,
      ]) {
        const answer = await post({ query }, pemda);
        expect(answer.status, query.slice(0, 40)).toBe(400);
        expect(answer.body).toEqual(tooComplex);
      }
    });
    expect(logs).toEqual([]);
    // Within the limits, aliases still work.
    const fine = await post({ query: aliases(15, '__typename') }, pemda);
    expect(fine.status).toBe(200);
    expect(Object.keys(fine.body.data as object)).toHaveLength(15);
  });
});

describe('input errors graphql-js gives no code (issue 11, item 8)', () => {
  it('null for a non-null argument is BAD_USER_INPUT and logs no error', async () => {
    const logs = await errorLogsOf(async () => {
      const answer = await post(
        {
          query: 'query ($f: Int) { households(first: $f) { totalCount } }',
          variables: { f: null },
        },
        pemda,
      );
      expect(answer.body.data).toBeNull();
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors?.[0]).toMatchObject({
        message: 'Argument "first" of non-null type "Int!" must not be null.',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      // An operation type the schema does not have fails in execution, uncoded too.
      const subscription = await post({ query: 'subscription { snapshot { asOf } }' }, pemda);
      expect(subscription.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
    expect(logs).toEqual([]);
  });

  it('values echoed by graphql-js are dropped from validation and coercion messages', async () => {
    const cases: Array<[string, Record<string, unknown> | undefined, string, string]> = [
      [
        '{ households(first: "Budi Santoso") { totalCount } }',
        undefined,
        'GRAPHQL_VALIDATION_FAILED',
        'Int cannot represent non-integer value.',
      ],
      [
        '{ households(orderBy: Budi) { totalCount } }',
        undefined,
        'GRAPHQL_VALIDATION_FAILED',
        'The value does not exist in "HouseholdOrder" enum.',
      ],
      [
        'query ($f: Int!) { households(first: $f) { totalCount } }',
        { f: 'Budi; Santoso' },
        'BAD_USER_INPUT',
        'Variable "$f" got an invalid value; Int cannot represent non-integer value.',
      ],
      [
        'query ($o: HouseholdOrder!) { households(orderBy: $o) { totalCount } }',
        { o: 'Budi "Santoso"' },
        'BAD_USER_INPUT',
        'Variable "$o" got an invalid value; The value does not exist in "HouseholdOrder" enum.',
      ],
    ];
    for (const [query, variables, code, message] of cases) {
      const answer = await post({ query, variables }, pemda);
      expect(answer.status, query).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code, query).toBe(code);
      expect(answer.body.errors?.[0]?.message, query).toBe(message);
      expectNoSource(answer);
    }
  });

  it('hides every "Did you mean" suggestion in production: fields, arguments, types, enum values', async () => {
    const cases: Array<[string, Record<string, unknown> | undefined]> = [
      ['{ households(orderBy: LAST_VERIFIE) { totalCount } }', undefined],
      [
        'query ($o: HouseholdOrder!) { households(orderBy: $o) { totalCount } }',
        { o: 'LAST_VERIFIE' },
      ],
      ['{ snapshot { asO } }', undefined],
      ['{ households(firts: 1) { totalCount } }', undefined],
      ['query ($f: Integer) { households(first: $f) { totalCount } }', undefined],
      ['{ snapshot }', undefined],
    ];
    for (const [query, variables] of cases) {
      const answer = await post({ query, variables }, pemda);
      expect(answer.status, query).toBe(400);
      const messages = (answer.body.errors ?? []).map((e) => e.message);
      expect(messages.length, query).toBeGreaterThan(0);
      for (const message of messages) {
        expect(message, query).not.toMatch(
          /did you mean|suggestion|LAST_VERIFIED|asOf|"first"|"Int"/i,
        );
      }
    }
  });
});

describe('Cache-Control (issue 11, item 8)', () => {
  it('every /graphql answer, data or error, and every /oauth/token answer is no-store', async () => {
    const answers: Array<[string, Headers]> = [];
    const data = await graphql(gateway, `{ person(nik: "${NIK}") { name birthDate } }`, {
      headers: pemda,
    });
    expect(data.body.data).toEqual({ person: { name: 'Budi Santoso', birthDate: '1980-05-15' } });
    answers.push(['data', data.headers]);
    answers.push(['parse error', (await post({ query: '{' }, pemda)).headers]);
    answers.push(['no token', (await post({ query: '{ me { clientId } }' }, {})).headers]);
    answers.push([
      'GET',
      (await get({ query: `{ person(nik: "${NIK}") { name } }` }, pemda)).headers,
    ]);
    for (const [name, init] of [
      ['PUT', { method: 'PUT' }],
      ['bad JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
    ] as const) {
      answers.push([name, (await fetch(`${gateway.url}/graphql`, init)).headers]);
    }
    const token = (body: string) =>
      fetch(`${gateway.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const secret = access.secrets['pemda-3201']!;
    const issued = await token(
      `grant_type=client_credentials&client_id=pemda-3201&client_secret=${encodeURIComponent(secret)}`,
    );
    expect(issued.status).toBe(200);
    answers.push(['token', issued.headers]);
    answers.push([
      'token refused',
      (await token('grant_type=client_credentials&client_id=pemda-3201&client_secret=x')).headers,
    ]);
    for (const [name, headers] of answers) {
      expect(headers.get('cache-control'), name).toBe('no-store');
    }
  });
});

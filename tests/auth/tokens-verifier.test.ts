import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  base64url,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../../src/auth/tokens/token-issuer.js';
import { createTokenVerifier, type TokenVerifier } from '../../src/auth/tokens/token-verifier.js';

const ISSUER = 'dtks-gateway';
const AUDIENCE = 'dtks-gateway';

let dir: string;
let keys: SigningKeys;
let verifier: TokenVerifier;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-tokens-'));
  keys = await loadOrCreateSigningKeys(dir);
  verifier = createTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, external: null });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

/** A token signed with our active key; `header` and `claims` override the defaults. */
function signOwn(
  options: { header?: Record<string, unknown>; claims?: JWTPayload; key?: CryptoKey } = {},
): Promise<string> {
  const t = now();
  const claims: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'dinsos-bogor',
    client_id: 'dinsos-bogor',
    iat: t,
    nbf: t,
    exp: t + 600,
    jti: 'test-jti',
    ...options.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: 'EdDSA',
      kid: keys.active.kid,
      typ: 'at+jwt',
      ...options.header,
    } as never)
    .sign((options.key ?? keys.active.privateKey) as CryptoKey);
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

async function expectUnauthenticated(token: string, v: TokenVerifier = verifier) {
  const error = await v.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the token was accepted').not.toBeNull();
  expect((error as { extensions?: { code?: string } }).extensions?.code).toBe('UNAUTHENTICATED');
  // The message never repeats the token or any part of it.
  const message = (error as Error).message;
  for (const part of token.split('.').filter((p) => p.length > 8)) {
    expect(message).not.toContain(part);
  }
  return message;
}

describe('gateway tokens', () => {
  it('issues a token that verifies: client, expiry, id', async () => {
    const issued = await issueAccessToken(keys, {
      clientId: 'dinsos-bogor',
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 3600,
    });
    expect(issued.tokenType).toBe('Bearer');
    expect(issued.expiresIn).toBe(3600);
    const verified = await verifier.verify(issued.accessToken);
    expect(verified.clientId).toBe('dinsos-bogor');
    expect(verified.source).toBe('gateway');
    expect(verified.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(verified.expiresAt.getTime() - (Date.now() + 3600_000))).toBeLessThan(5_000);
    // Also with the scheme in front.
    expect((await verifier.verify(`Bearer ${issued.accessToken}`)).clientId).toBe('dinsos-bogor');
  });

  it('puts the agreed header and claims in the token', async () => {
    const { accessToken } = await issueAccessToken(keys, {
      clientId: 'bps-pusat',
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 600,
    });
    const [h, p] = accessToken.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'bps-pusat',
      client_id: 'bps-pusat',
    });
    expect(payload.exp).toBe((payload.iat as number) + 600);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe('string');
  });

  it('refuses lifetimes over 24 hours', async () => {
    await expect(
      issueAccessToken(keys, {
        clientId: 'a1',
        issuer: ISSUER,
        audience: AUDIENCE,
        ttlSeconds: 86_401,
      }),
    ).rejects.toThrow(RangeError);
  });

  it('accepts a hand-signed token with the defaults (the attack tests below start from it)', async () => {
    expect((await verifier.verify(await signOwn())).clientId).toBe('dinsos-bogor');
  });
});

describe('rejected tokens: 401 UNAUTHENTICATED', () => {
  it('expired', async () => {
    const message = await expectUnauthenticated(
      await signOwn({ claims: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 } }),
    );
    expect(message).toMatch(/expired/);
    // Just expired but within the 30 s tolerance still passes.
    await verifier.verify(await signOwn({ claims: { exp: now() - 5 } }));
  });

  it('not yet valid (nbf or iat beyond the tolerance in the future)', async () => {
    expect(await expectUnauthenticated(await signOwn({ claims: { nbf: now() + 300 } }))).toMatch(
      /not valid yet/,
    );
    await expectUnauthenticated(await signOwn({ claims: { iat: now() + 300, nbf: now() } }));
    await verifier.verify(await signOwn({ claims: { nbf: now() + 5 } }));
  });

  it('signed by another Ed25519 key that claims our kid', async () => {
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    await expectUnauthenticated(await signOwn({ key: other.privateKey }));
  });

  it('alg: none', async () => {
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'x1', client_id: 'x1', exp: now() + 600 };
    for (const alg of ['none', 'None', 'NONE']) {
      const header = encode({ alg, kid: keys.active.kid, typ: 'at+jwt' });
      await expectUnauthenticated(`${header}.${encode(payload)}.`);
      await expectUnauthenticated(`${header}.${encode(payload)}.c2lnbmF0dXJl`);
    }
  });

  it('HS256 signed with the public key as the secret', async () => {
    const jwk = keys.publicJwks.keys[0]!;
    const secrets = [
      new TextEncoder().encode(JSON.stringify(jwk)),
      Buffer.from(jwk.x!, 'base64url'),
      new TextEncoder().encode(jwk.x!),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT({ client_id: 'x1', sub: 'x1', jti: 'j' })
        .setProtectedHeader({ alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime('10m')
        .sign(secret);
      await expectUnauthenticated(token);
    }
  });

  it('RS256 or ES256 tokens that claim to be ours', async () => {
    for (const alg of ['RS256', 'ES256']) {
      const pair = await generateKeyPair(alg);
      const token = await new SignJWT({ client_id: 'x1', sub: 'x1', jti: 'j' })
        .setProtectedHeader({ alg, kid: keys.active.kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime('10m')
        .sign(pair.privateKey);
      await expectUnauthenticated(token);
    }
  });

  it('wrong issuer', async () => {
    expect(await expectUnauthenticated(await signOwn({ claims: { iss: 'someone-else' } }))).toMatch(
      /issuer/,
    );
    await expectUnauthenticated(await signOwn({ claims: { iss: undefined } }));
  });

  it('wrong audience, or our audience among others', async () => {
    expect(await expectUnauthenticated(await signOwn({ claims: { aud: 'other-api' } }))).toMatch(
      /audience/,
    );
    await expectUnauthenticated(await signOwn({ claims: { aud: [AUDIENCE, 'other-api'] } }));
    await expectUnauthenticated(await signOwn({ claims: { aud: undefined } }));
  });

  it('unknown kid, missing kid', async () => {
    const unknown = 'A'.repeat(43);
    expect(await expectUnauthenticated(await signOwn({ header: { kid: unknown } }))).toMatch(
      /unknown key/,
    );
    await expectUnauthenticated(await signOwn({ header: { kid: 'not-a-thumbprint' } }));
    await expectUnauthenticated(await signOwn({ header: { kid: undefined } }));
  });

  it('another typ, missing claims, client_id unlike sub, lifetime over 24 h', async () => {
    await expectUnauthenticated(await signOwn({ header: { typ: 'JWT' } }));
    await expectUnauthenticated(await signOwn({ header: { typ: undefined } }));
    await expectUnauthenticated(await signOwn({ claims: { exp: undefined } }));
    await expectUnauthenticated(await signOwn({ claims: { client_id: undefined } }));
    await expectUnauthenticated(await signOwn({ claims: { client_id: 'someone-else' } }));
    await expectUnauthenticated(await signOwn({ claims: { exp: now() + 2 * 86_400 } }));
  });

  it('garbage', async () => {
    for (const garbage of [
      '',
      ' ',
      'Bearer',
      'abc',
      'a.b',
      'a.b.c',
      '...',
      'a.b.c.d.e',
      '😀.😀.😀',
      'x'.repeat(20_000),
      `${encode({ alg: 'EdDSA' })}.not-json.sig`,
      `${encode('string')}.${encode({})}.c2ln`,
    ]) {
      await expectUnauthenticated(garbage);
    }
    await expect(verifier.verify(undefined as unknown as string)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('a valid signature over a tampered payload', async () => {
    const token = await signOwn();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload;
    const tampered = encode({ ...claims, client_id: 'kemensos-pusat', sub: 'kemensos-pusat' });
    await expectUnauthenticated(`${header}.${tampered}.${signature}`);
    const extended = encode({ ...claims, exp: now() + 80_000 });
    await expectUnauthenticated(`${header}.${extended}.${signature}`);
    // And a tampered header.
    await expectUnauthenticated(
      `${encode({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt', x: 1 })}.${payload}.${signature}`,
    );
  });
});

describe('external identity provider', () => {
  let server: http.Server;
  let jwksUrl: string;
  let idpKey: CryptoKey;
  let jwksRequests = 0;
  const IDP_ISSUER = 'https://idp.example.go.id/realms/dtks';
  const IDP_AUDIENCE = 'dtks-api';
  let external: TokenVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    idpKey = pair.privateKey;
    const jwk: JWK = {
      ...(await exportJWK(pair.publicKey)),
      kid: 'idp-key-1',
      alg: 'ES256',
      use: 'sig',
    };
    server = http.createServer((req, res) => {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    external = createTokenVerifier({
      keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      external: { jwksUrl, issuer: IDP_ISSUER, audience: IDP_AUDIENCE },
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function signIdp(claims: JWTPayload, options: { kid?: string; key?: CryptoKey } = {}) {
    const payload = { iss: IDP_ISSUER, aud: IDP_AUDIENCE, iat: now(), exp: now() + 300, ...claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'idp-key-1' })
      .sign(options.key ?? idpKey);
  }

  it('verifies its tokens; the client is client_id, else azp, else sub', async () => {
    const withClientId = await external.verify(
      await signIdp({ client_id: 'dinsos-jabar', azp: 'azp-client', sub: 'sub-client', jti: 'j1' }),
    );
    expect(withClientId).toMatchObject({
      clientId: 'dinsos-jabar',
      tokenId: 'j1',
      source: 'external',
    });
    expect(withClientId.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect((await external.verify(await signIdp({ azp: 'azp-client', sub: 's' }))).clientId).toBe(
      'azp-client',
    );
    const bySub = await external.verify(await signIdp({ sub: 'sub-client' }));
    expect(bySub).toMatchObject({ clientId: 'sub-client', tokenId: null });
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
    // Our own tokens still verify beside it.
    const own = await issueAccessToken(keys, {
      clientId: 'bps-pusat',
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 60,
    });
    expect((await external.verify(own.accessToken)).source).toBe('gateway');
  });

  it('rejects a wrong audience, expiry, an unknown key, another signer, no client', async () => {
    expect(
      await expectUnauthenticated(await signIdp({ sub: 'c1', aud: 'another-api' }), external),
    ).toMatch(/audience/);
    await expectUnauthenticated(await signIdp({ sub: 'c1', exp: now() - 3600 }), external);
    await expectUnauthenticated(await signIdp({ sub: 'c1' }, { kid: 'idp-key-2' }), external);
    const stranger = await generateKeyPair('ES256');
    await expectUnauthenticated(
      await signIdp({ sub: 'c1' }, { key: stranger.privateKey }),
      external,
    );
    await expectUnauthenticated(await signIdp({}), external);
  });

  it('is not consulted when not configured, and needs the exact issuer', async () => {
    await expectUnauthenticated(await signIdp({ sub: 'c1' }), verifier);
    await expectUnauthenticated(await signIdp({ sub: 'c1', iss: `${IDP_ISSUER}/` }), external);
  });

  it('answers 401 when the provider cannot be reached', async () => {
    const unreachable = createTokenVerifier({
      keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      external: {
        jwksUrl: 'http://127.0.0.1:9/jwks.json',
        issuer: IDP_ISSUER,
        audience: IDP_AUDIENCE,
      },
    });
    await expectUnauthenticated(await signIdp({ sub: 'c1' }), unreachable);
  });
});

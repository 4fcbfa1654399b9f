import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJwksEndpoint } from '../../src/auth/tokens/jwks-endpoint.js';
import {
  listSigningKeys,
  loadOrCreateSigningKeys,
  rotateSigningKey,
} from '../../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../../src/auth/tokens/token-issuer.js';
import { createTokenVerifier } from '../../src/auth/tokens/token-verifier.js';
import type { SigningKeys } from '../../src/auth/tokens/signing-keys.js';

const ISSUER = 'dtks-gateway';
const AUDIENCE = 'dtks-gateway';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const keyFiles = async () =>
  (await readdir(path.join(dir, 'keys'))).filter((name) => name.endsWith('.jwk.json'));

const issue = (keys: SigningKeys, clientId = 'dinsos-bogor') =>
  issueAccessToken(keys, { clientId, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 600 }).then(
    (t) => t.accessToken,
  );

const verifierFor = (keys: SigningKeys) =>
  createTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, external: null });

const headerKid = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('signing keys', () => {
  it('creates the first key on first start and keeps it (same kid next time)', async () => {
    const first = await loadOrCreateSigningKeys(dir);
    const second = await loadOrCreateSigningKeys(dir);
    expect(first.active.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.active.kid).toBe(first.active.kid);
    expect(await keyFiles()).toEqual([`${first.active.kid}.jwk.json`]);
    // A token from one load verifies with the other.
    const token = await issue(first);
    expect((await verifierFor(second).verify(token)).clientId).toBe('dinsos-bogor');
  });

  it('keeps the folder 0700 and the key files 0600', async () => {
    await loadOrCreateSigningKeys(dir);
    expect((await stat(path.join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    for (const name of await keyFiles()) {
      expect((await stat(path.join(dir, 'keys', name))).mode & 0o777).toBe(0o600);
    }
  });

  it('the kid is the RFC 7638 thumbprint; the JWKS has public members only', async () => {
    const keys = await loadOrCreateSigningKeys(dir);
    const { calculateJwkThumbprint } = await import('jose');
    const [jwk] = keys.publicJwks.keys;
    expect(jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: keys.active.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(await calculateJwkThumbprint(jwk!)).toBe(keys.active.kid);
    expect(JSON.stringify(keys.publicJwks)).not.toContain('"d"');
    const file = JSON.parse(
      await readFile(path.join(dir, 'keys', `${keys.active.kid}.jwk.json`), 'utf8'),
    ) as Record<string, unknown>;
    expect(typeof file.d).toBe('string');
  });

  it('creates one key when several processes start together', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSigningKeys(dir)));
    expect(new Set(all.map((k) => k.active.kid)).size).toBe(1);
    expect(await keyFiles()).toHaveLength(1);
  });

  it('refuses a tampered key file with a message that names the file, not the key', async () => {
    const keys = await loadOrCreateSigningKeys(dir);
    const file = path.join(dir, 'keys', `${keys.active.kid}.jwk.json`);
    const content = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    await writeFile(
      file,
      JSON.stringify({ ...content, x: content.x!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
    );
    const error = await loadOrCreateSigningKeys(dir).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${keys.active.kid}.jwk.json`);
    expect((error as Error).message).not.toContain(content.d!);
  });
});

describe('rotation', () => {
  it('makes a new key active; tokens of the old key stay valid and both kids are published', async () => {
    const before = await loadOrCreateSigningKeys(dir);
    const oldToken = await issue(before);
    const { kid } = await rotateSigningKey(dir);
    expect(kid).not.toBe(before.active.kid);

    const after = await loadOrCreateSigningKeys(dir);
    expect(after.active.kid).toBe(kid);
    const kids = after.publicJwks.keys.map((k) => k.kid);
    expect(kids).toEqual([kid, before.active.kid]);
    const newToken = await issue(after, 'bps-pusat');
    expect(headerKid(newToken)).toBe(kid);
    const verifier = verifierFor(after);
    expect((await verifier.verify(oldToken)).clientId).toBe('dinsos-bogor');
    expect((await verifier.verify(newToken)).clientId).toBe('bps-pusat');

    const listed = await listSigningKeys(dir);
    expect(listed.map((k) => [k.kid, k.active])).toEqual([
      [kid, true],
      [before.active.kid, false],
    ]);
    const retired = listed[1]!;
    expect(retired.removeAfter!.getTime() - retired.retiredAt!.getTime()).toBe(86_400_000);
  });

  it('a process that did not rotate picks the new key up without restart', async () => {
    const serving = await loadOrCreateSigningKeys(dir); // e.g. a running gateway
    const { kid } = await rotateSigningKey(dir); // e.g. `dtks-gateway keys rotate`
    const rotated = await loadOrCreateSigningKeys(dir); // another gateway process
    const token = await issue(rotated);
    expect(headerKid(token)).toBe(kid);
    // The serving process does not know the kid yet: it re-reads the folder and accepts.
    expect(serving.publicKeyFor(kid)).toBeNull();
    expect((await verifierFor(serving).verify(token)).clientId).toBe('dinsos-bogor');
    expect(serving.publicKeyFor(kid)).not.toBeNull();
    expect(serving.active.kid).toBe(kid);
  });

  it('re-reads the folder at most once a second for unknown kids', async () => {
    const serving = await loadOrCreateSigningKeys(dir);
    const verifier = verifierFor(serving);
    // A token naming an unknown kid makes the verifier re-read the folder (and still fail).
    const unknownKid = await new SignJWT({ client_id: 'x1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'A'.repeat(43), typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x1')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('1m')
      .setJti('j')
      .sign(serving.active.privateKey as CryptoKey);
    await expect(verifier.verify(unknownKid)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    // A rotation right after is not seen within the same second…
    const { kid } = await rotateSigningKey(dir);
    const token = await issue(await loadOrCreateSigningKeys(dir));
    expect(headerKid(token)).toBe(kid);
    await expect(verifier.verify(token)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    // …but is a second later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await verifier.verify(token)).clientId).toBe('dinsos-bogor');
  });

  it('removes retired keys after keepRetiredFor; their tokens are then refused', async () => {
    const before = await loadOrCreateSigningKeys(dir);
    const oldKid = before.active.kid;
    const oldToken = await issue(before);
    const serving = verifierFor(before);
    await serving.verify(oldToken);
    await rotateSigningKey(dir, { keepRetiredFor: 0 });
    // A running process learns of the withdrawal on its next read of the folder (≤ 10 s).
    await before.refresh();
    await expect(serving.verify(oldToken)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const after = await loadOrCreateSigningKeys(dir);
    expect(after.publicJwks.keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(before.publicKeyFor(oldKid)).toBeNull();
    expect(await keyFiles()).toEqual([`${after.active.kid}.jwk.json`]);
    await expect(verifierFor(after).verify(oldToken)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('keeps several retired keys published until each one’s time is up', async () => {
    const a = (await loadOrCreateSigningKeys(dir)).active.kid;
    const { kid: b } = await rotateSigningKey(dir, { keepRetiredFor: 3600 });
    const { kid: c } = await rotateSigningKey(dir, { keepRetiredFor: 3600 });
    const keys = await loadOrCreateSigningKeys(dir);
    expect(keys.active.kid).toBe(c);
    expect(keys.publicJwks.keys.map((k) => k.kid)).toEqual([c, b, a]);
  });
});

describe('GET /.well-known/jwks.json', () => {
  let server: http.Server | undefined;
  afterAll(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
  });

  it('serves the public keys, cacheable, never a private member; refuses other methods', async () => {
    const keys = await loadOrCreateSigningKeys(dir);
    await rotateSigningKey(dir);
    await keys.refresh();
    const handler = createJwksEndpoint(keys);
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text).not.toMatch(/"d"|"p"|"q"|"dp"|"dq"|"qi"|"k"/);
    const jwks = JSON.parse(text) as { keys: { kid: string; kty: string }[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]!.kid).toBe(keys.active.kid);

    const post = await fetch(url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

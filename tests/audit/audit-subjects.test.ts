import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../src/audit/audit-event.js';
import { accessLogFor } from '../../src/audit/access-log.js';
import { testCheckpointKey } from '../support/audit-keys.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import {
  loadOrCreateSubjectKey,
  subjectHash,
  SubjectHasher,
  subjectKeyPath,
} from '../../src/audit/subject-hash.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NIK_A = '3201011505809001';
const NIK_B = '3201015508829002';

let dir: string;
let db: TestDatabase;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-audit-'));
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('subject hash', () => {
  const key1 = Buffer.alloc(32, 1);
  const key2 = Buffer.alloc(32, 2);

  it('is stable for a key, differs across keys and NIKs, and never reveals the NIK', () => {
    const h = subjectHash(key1, NIK_A);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectHash(key1, NIK_A)).toBe(h);
    expect(subjectHash(key2, NIK_A)).not.toBe(h);
    expect(subjectHash(key1, NIK_B)).not.toBe(h);
    expect(h).not.toContain(NIK_A);
    expect(h).not.toBe(NIK_A);
  });

  it('refuses a short key', () => {
    expect(() => subjectHash(Buffer.alloc(8), NIK_A)).toThrow(RangeError);
  });
});

describe('subject hasher (cached per process)', () => {
  const key = Buffer.alloc(32, 3);
  const nik = (i: number) => String(3201011505800000 + i);

  it('gives exactly the subject hash, cached or not', () => {
    const hasher = new SubjectHasher(key, { maxEntries: 4 });
    for (const i of [1, 2, 1, 3, 2, 1]) expect(hasher.hash(nik(i))).toBe(subjectHash(key, nik(i)));
  });

  it('holds at most maxEntries NIKs and drops the least recently used first', () => {
    const hasher = new SubjectHasher(key, { maxEntries: 3 });
    for (let i = 0; i < 1000; i++) hasher.hash(nik(i));
    expect(hasher.size).toBe(3);
    const cache = (hasher as unknown as { cache: Map<string, string> }).cache;
    expect([...cache.keys()]).toEqual([nik(997), nik(998), nik(999)]);
    hasher.hash(nik(997)); // a hit becomes the newest
    hasher.hash(nik(5000));
    expect([...cache.keys()]).toEqual([nik(999), nik(997), nik(5000)]);
  });

  it('refuses a short key when built, not at the first request', () => {
    expect(() => new SubjectHasher(Buffer.alloc(8))).toThrow(/at least 32 bytes/);
  });
});

describe('audit subject key file', () => {
  it('is created once with mode 0600 in a 0700 folder and re-read as the same key', async () => {
    const dataDir = path.join(dir, 'data');
    const key = await loadOrCreateSubjectKey(dataDir);
    expect(key).toHaveLength(32);
    const file = subjectKeyPath(dataDir);
    expect(file).toBe(path.join(dataDir, 'keys', 'audit-subject.key'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await loadOrCreateSubjectKey(dataDir)).toEqual(key);
    expect((await readFile(file, 'utf8')).trim()).toBe(key.toString('hex'));
  });

  it('gives every concurrent starter the same key', async () => {
    const dataDir = path.join(dir, 'race');
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateSubjectKey(dataDir)),
    );
    for (const k of keys) expect(k).toEqual(keys[0]);
  });

  it('refuses a malformed key file without echoing it', async () => {
    const dataDir = path.join(dir, 'bad');
    await loadOrCreateSubjectKey(dataDir);
    await writeFile(subjectKeyPath(dataDir), 'not-a-secret-key-but-close\n');
    const error = await loadOrCreateSubjectKey(dataDir).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/is malformed/);
    expect(error?.message).not.toContain('not-a-secret');
  });
});

describe('access log', () => {
  const key = Buffer.alloc(32, 9);
  const a = subjectHash(key, NIK_A);
  const b = subjectHash(key, NIK_B);

  function event(i: number, subjects: string[]): AuditEventInput {
    return {
      requestId: `req-${i}`,
      clientId: `client-${i}`,
      agencyId: 'DINSOS-3273',
      officerId: i % 2 === 0 ? 'officer-1' : null,
      purpose: 'BANSOS_VERIFICATION',
      operation: 'query:person',
      outcome: i % 5 === 0 ? 'REFUSED' : 'DISCLOSED',
      errorCode: i % 5 === 0 ? 'FORBIDDEN' : null,
      fields: i % 5 === 0 ? [] : ['Person.name'],
      subjects,
      decisionIds: [],
    };
  }

  it('returns only the events naming the subject, newest first, page by page', async () => {
    const { signer } = await testCheckpointKey();
    const writer = new AuditWriter(db.pool, { maxBatch: 3, signer });
    // Events 1..30: A alone on multiples of 3, A and B together on 1 mod 3, B alone otherwise.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const n = i + 1;
        return writer.record(event(n, n % 3 === 0 ? [a] : n % 3 === 1 ? [a, b] : [b]));
      }),
    );
    await writer.close();
    const expectedIds = Array.from({ length: 30 }, (_, i) => 30 - i).filter((n) => n % 3 !== 2);

    const pages: number[][] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await accessLogFor(db.pool, a, { first: 7, beforeId });
      if (page.length === 0) break;
      pages.push(page.map((e) => e.id));
      beforeId = page.at(-1)!.id;
    }
    expect(pages.map((p) => p.length)).toEqual([7, 7, 6]);
    expect(pages.flat()).toEqual(expectedIds);

    const [newest] = await accessLogFor(db.pool, a, { first: 1 });
    expect(newest).toEqual({
      id: 30,
      at: expect.any(Date),
      clientId: 'client-30',
      agencyId: 'DINSOS-3273',
      // No agency of that id is registered here: no name or kind to join.
      agencyName: null,
      agencyKind: null,
      officerId: 'officer-1',
      purpose: 'BANSOS_VERIFICATION',
      operation: 'query:person',
      outcome: 'REFUSED',
      fields: [],
    });
    expect((await accessLogFor(db.pool, b, { first: 100 })).map((e) => e.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => 30 - i).filter((n) => n % 3 !== 0),
    );
    expect(await accessLogFor(db.pool, subjectHash(key, '3201010101159003'), { first: 5 })).toEqual(
      [],
    );
  });

  it('refuses a page size out of range', async () => {
    await expect(accessLogFor(db.pool, a, { first: 0 })).rejects.toThrow(RangeError);
    await expect(accessLogFor(db.pool, a, { first: 1002 })).rejects.toThrow(RangeError);
  });
});

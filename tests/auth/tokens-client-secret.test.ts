import { describe, expect, it } from 'vitest';
import {
  generateClientSecret,
  hashClientSecret,
  verifyClientSecret,
} from '../../src/auth/client-secret.js';

describe('client secrets', () => {
  it('generates URL-safe secrets of at least 256 bits, different every time', () => {
    const a = generateClientSecret();
    const b = generateClientSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(Buffer.from(a, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(a).not.toBe(b);
  });

  it('hashes with scrypt, parameters in the string, and verifies the round trip', async () => {
    const secret = generateClientSecret();
    const stored = await hashClientSecret(secret);
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(secret);
    expect(await verifyClientSecret(secret, stored)).toBe(true);
  });

  it('refuses a wrong secret', async () => {
    const stored = await hashClientSecret('right-secret');
    expect(await verifyClientSecret('wrong-secret', stored)).toBe(false);
    expect(await verifyClientSecret('right-secre', stored)).toBe(false);
    expect(await verifyClientSecret('', stored)).toBe(false);
  });

  it('salts: two hashes of the same secret differ, and both verify', async () => {
    const first = await hashClientSecret('same');
    const second = await hashClientSecret('same');
    expect(first).not.toBe(second);
    expect(await verifyClientSecret('same', first)).toBe(true);
    expect(await verifyClientSecret('same', second)).toBe(true);
  });

  it('answers false for unknown or tampered formats', async () => {
    const stored = await hashClientSecret('secret');
    const [, n, r, p, salt, hash] = stored.split('$');
    for (const bad of [
      '',
      'secret',
      'plain:secret',
      '$2b$12$abcdefghijklmnopqrstuuFzvXgk5b1nqJxXo7x7k3yN8y2oY7a5e', // bcrypt
      `argon2id$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, // cost out of bounds
      `scrypt$${n}$${r}$${p}$${salt}$${hash}$extra`,
      `scrypt$${n}$${r}$${p}$not base64!$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$AAAA`, // hash too short
    ]) {
      expect(await verifyClientSecret('secret', bad), bad).toBe(false);
    }
  });
});

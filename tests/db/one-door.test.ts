import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Principle 2 ("one door to personal data"): households and members are read only through the
 * scoped data layer (src/db/scoped), which needs a principal. The snapshot loader and the
 * migrations, which write them, are the only other places that may name these tables.
 */
const ALLOWED = ['src/db/scoped/', 'src/snapshot/', 'src/db/migrations/'];
const TABLE_ACCESS =
  /\b(?:from|join|into|update|selectFrom|insertInto|updateTable|deleteFrom)\s*\(?\s*['"`]?(?:household|member|program_recipient)\b(?!_)/i;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
    ),
  );
  return files.flat().filter((f) => f.endsWith('.ts'));
}

describe('one door to personal data', () => {
  it('names the household, member and recipient tables only in the scoped layer, the loader and migrations', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles('src')) {
      if (ALLOWED.some((prefix) => file.startsWith(prefix))) continue;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (TABLE_ACCESS.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('finds such access when it is there (the check can fail)', () => {
    expect(TABLE_ACCESS.test("db.selectFrom('member').selectAll()")).toBe(true);
    expect(TABLE_ACCESS.test('SELECT nik FROM member m WHERE')).toBe(true);
    expect(TABLE_ACCESS.test("selectFrom('snapshot')")).toBe(false);
  });
});

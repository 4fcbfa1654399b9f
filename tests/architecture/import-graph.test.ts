import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layout's rules (docs/architecture.md, "The rooms"), checked on the import graph of `src/`:
 * every import (type-only, re-exports and dynamic imports included), read with TypeScript's own
 * pre-processor.
 *
 * - No circle anywhere: files that import each other, however long the way round.
 * - Each room (a top-level folder or file of `src/`) imports only the rooms listed for it below:
 *   dependencies point down, and src/db/ (the database) imports no capability.
 * - Every room folder says in a README what it owns and what it may import.
 */

/** What each room may import. A new room, or a new dependency, is a decision: add it here. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // Leaves.
  csv: [],
  errors: [],
  files: [],
  http: [],
  'logger.ts': [],
  'config.ts': [],
  'production-mode.ts': [],
  domain: ['csv'],
  // The database, and policy and audit beside it (the scoped layer compiles a principal's policy
  // into SQL; policy and audit read and write through the database).
  db: ['auth', 'domain', 'errors', 'logger.ts', 'config.ts', 'csv'],
  auth: ['db', 'domain', 'errors', 'logger.ts', 'http', 'files'],
  audit: ['db', 'domain', 'errors', 'logger.ts', 'files'],
  // Producing and loading data.
  synthetic: ['domain', 'csv'],
  snapshot: ['db', 'domain', 'csv', 'synthetic', 'errors', 'logger.ts'],
  demo: ['auth', 'db', 'domain', 'snapshot', 'logger.ts'],
  // Capabilities.
  eligibility: ['auth', 'audit', 'db', 'domain', 'errors', 'logger.ts'],
  statistics: ['auth', 'audit', 'db', 'domain', 'errors', 'logger.ts'],
  verification: ['auth', 'audit', 'db', 'domain', 'errors', 'csv', 'logger.ts'],
  monitoring: ['auth', 'audit', 'db', 'domain', 'errors', 'logger.ts'],
  changes: ['auth', 'audit', 'db', 'domain', 'errors', 'logger.ts', 'http'],
  subjects: ['auth', 'audit', 'db', 'domain', 'errors', 'logger.ts'],
  // GraphQL.
  schema: ['domain', 'errors'],
  resolvers: [
    'schema',
    'eligibility',
    'statistics',
    'verification',
    'monitoring',
    'changes',
    'subjects',
    'auth',
    'audit',
    'db',
    'domain',
    'errors',
    'logger.ts',
  ],
  // The DCI door: its searches run as GraphQL operations with the request's context.
  dci: ['resolvers', 'changes', 'auth', 'audit', 'db', 'domain', 'errors', 'logger.ts', 'http'],
  server: [
    'dci',
    'http',
    'resolvers',
    'schema',
    'eligibility',
    'statistics',
    'verification',
    'monitoring',
    'changes',
    'subjects',
    'auth',
    'audit',
    'db',
    'domain',
    'errors',
    'logger.ts',
    'config.ts',
  ],
  // The command line.
  cli: ['config.ts', 'logger.ts', 'db', 'snapshot', 'domain', 'errors'],
  'bulk-check': ['cli', 'csv', 'domain', 'errors', 'logger.ts'],
  'cli.ts': ['commands', 'production-mode.ts'],
};
// The commands translate options into calls of any room below them (the server builds the schema).
MAY_IMPORT.commands = Object.keys(MAY_IMPORT).filter(
  (room) => !['schema', 'resolvers', 'cli.ts', 'commands'].includes(room),
);

const SRC = 'src';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(full);
      return e.name.endsWith('.ts') ? [full] : [];
    }),
  );
  return nested.flat();
}

/** file → the files of `src/` it imports (resolved: `./x.js` is `./x.ts`). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sourceFiles(SRC)) {
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => {
        const resolved = path.normalize(path.join(path.dirname(file), name));
        return resolved.endsWith('.js') ? `${resolved.slice(0, -3)}.ts` : resolved;
      });
    graph.set(file, targets);
  }
  return graph;
}

/** The circles of a graph (its strongly connected parts of more than one file, or a self-import). */
function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

function roomOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

describe('the layout of src/', () => {
  it('has no import circle, type-only imports included', async () => {
    expect(findCircles(await importGraph())).toEqual([]);
  });

  it('finds circles (the check itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(findCircles(graph)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('imports only down: each room imports only the rooms it may', async () => {
    const graph = await importGraph();
    const rooms = new Set([...graph.keys()].map(roomOf));
    expect([...rooms].filter((room) => !(room in MAY_IMPORT)).sort()).toEqual([]);
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = roomOf(file);
      for (const target of targets) {
        const to = roomOf(target);
        if (to !== from && !MAY_IMPORT[from]!.includes(to)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the database imports no capability', () => {
    for (const capability of [
      'eligibility',
      'statistics',
      'verification',
      'monitoring',
      'server',
      'resolvers',
    ]) {
      expect(MAY_IMPORT.db).not.toContain(capability);
    }
  });

  it('every room folder has a short README saying what it owns and may import', async () => {
    const folders = (await readdir(SRC, { withFileTypes: true })).filter((e) => e.isDirectory());
    const missing = folders
      .map((f) => path.join(SRC, f.name, 'README.md'))
      .filter((readme) => !existsSync(readme));
    expect(missing).toEqual([]);
    for (const folder of folders) {
      const text = await readFile(path.join(SRC, folder.name, 'README.md'), 'utf8');
      expect(text.split('\n').filter((l) => l.trim() !== '').length, folder.name).toBeLessThan(20);
      expect(text, folder.name).toMatch(/may import/i);
    }
  });
});

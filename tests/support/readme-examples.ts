import { parse, type OperationDefinitionNode } from 'graphql';

/**
 * The runnable examples of README.md. The convention (documented in the README's API section and
 * checked by tests/demo/readme-examples.test.ts):
 *
 * - A fenced block preceded by `<!-- example: client=ID [purpose=CODE] [officer=ID]
 *   [id-from=OPERATION] -->` (blank lines between allowed) is a GraphQL example sent by that demo
 *   client. A ```graphql block holds one operation; a ```json block right after it holds its
 *   variables. The client's `demo samples --json` variables come first, the JSON block's over
 *   them, and `id-from=Queue` sets `$id` to the `id` the earlier example `Queue` answered (of its
 *   root object, or the first of its node list). `empty=REASON` (one word) accepts an empty list as the answer, where that is
 *   what the demo gives (a change feed before any new import).
 * - A ```json block preceded by `<!-- example: client=… operation=NAME -->` runs the earlier
 *   example NAME again, as that client, with these variables.
 * - `<!-- example: shell -->` before a ```sh block: run by bash as written, in a folder where
 *   `./bin/dtks-gateway` is the command and `./.dtks` the data folder (`localhost:4000` becomes
 *   the test gateway's port). Each line it prints that starts with `{` must be a token, a GraphQL
 *   answer with data in every root field, a DCI answer whose every search found a record, or a
 *   data subject's report of a registered person.
 * - `<!-- example: skip: REASON -->`: shown, not run.
 *
 * Every ```graphql block must be an example, and every block that sends a request to
 * `localhost:4000` must be marked (run or skipped with a reason).
 */

export interface FencedBlock {
  lang: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The attributes of the `<!-- example: … -->` marker before the block, or null. */
  marker: Record<string, string> | null;
}

export interface GraphQLExample {
  kind: 'graphql';
  line: number;
  client: string;
  purpose: string | null;
  officer: string | null;
  /** The operation's name, or null for an anonymous one. */
  name: string | null;
  query: string;
  variables: Record<string, unknown>;
  /** `$id` comes from the answer of this earlier example. */
  idFrom: string | null;
  /** Why an empty list is the right answer in the demo (`empty=REASON`), or null. */
  empty: string | null;
}

export interface ShellExample {
  kind: 'shell';
  line: number;
  script: string;
}

const MARKER = /^<!--\s*example:\s*(.*?)\s*-->$/;
const KNOWN = new Set(['client', 'purpose', 'officer', 'id-from', 'operation', 'empty']);

/** The fenced blocks of a markdown text, each with the example marker right before it. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  let pending: Record<string, string> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line.trim());
    if (marker) {
      pending = parseMarker(marker[1]!, i + 1);
      continue;
    }
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`README.md:${start + 1}: unclosed code block`);
      blocks.push({ lang: fence[1]!, text: body.join('\n'), line: start + 1, marker: pending });
      pending = null;
      continue;
    }
    if (line.trim() !== '') pending = null; // a marker belongs to the block right after it
  }
  return blocks;
}

function parseMarker(body: string, line: number): Record<string, string> {
  if (body === 'shell') return { shell: 'true' };
  if (body.startsWith('skip')) {
    const reason = body.replace(/^skip:?\s*/, '');
    if (reason === '') throw new Error(`README.md:${line}: a skipped example needs a reason`);
    return { skip: reason };
  }
  const attrs: Record<string, string> = {};
  for (const part of body.split(/\s+/)) {
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    if (!KNOWN.has(key) || !value) throw new Error(`README.md:${line}: bad marker part ${part}`);
    attrs[key] = value;
  }
  if (!attrs.client) throw new Error(`README.md:${line}: an example marker names its client`);
  return attrs;
}

/** Problems with the convention: unmarked GraphQL blocks, unmarked requests, several operations. */
export function conventionProblems(blocks: FencedBlock[]): string[] {
  const problems: string[] = [];
  for (const b of blocks) {
    if (b.lang === 'graphql' && (!b.marker || !b.marker.client)) {
      problems.push(`README.md:${b.line}: a graphql block without an example marker`);
    }
    if (b.text.includes('localhost:4000') && !b.marker) {
      problems.push(`README.md:${b.line}: a request to localhost:4000 without an example marker`);
    }
    if (b.marker?.shell && b.lang !== 'sh') {
      problems.push(`README.md:${b.line}: a shell example must be a sh block`);
    }
    if (b.lang === 'graphql') {
      try {
        const ops = parse(b.text).definitions.filter((d) => d.kind === 'OperationDefinition');
        if (ops.length !== 1) {
          problems.push(`README.md:${b.line}: ${ops.length} operations in one block (want one)`);
        }
      } catch (error) {
        problems.push(`README.md:${b.line}: not GraphQL: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** The runnable examples in README order. */
export function readmeExamples(blocks: FencedBlock[]): Array<GraphQLExample | ShellExample> {
  const examples: Array<GraphQLExample | ShellExample> = [];
  const byName = new Map<string, GraphQLExample>();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const m = b.marker;
    if (!m || m.skip) continue;
    if (m.shell) {
      examples.push({ kind: 'shell', line: b.line, script: b.text });
      continue;
    }
    if (b.lang === 'graphql') {
      const next = blocks[i + 1];
      const variables =
        next && next.lang === 'json' && !next.marker
          ? (JSON.parse(next.text) as Record<string, unknown>)
          : {};
      const op = parse(b.text).definitions.find(
        (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
      )!;
      const example: GraphQLExample = {
        kind: 'graphql',
        line: b.line,
        client: m.client!,
        purpose: m.purpose ?? null,
        officer: m.officer ?? null,
        name: op.name?.value ?? null,
        query: b.text,
        variables,
        idFrom: m['id-from'] ?? null,
        empty: m.empty ?? null,
      };
      if (example.name) byName.set(example.name, example);
      examples.push(example);
    } else if (b.lang === 'json' && m.operation) {
      const earlier = byName.get(m.operation);
      if (!earlier) throw new Error(`README.md:${b.line}: no earlier example ${m.operation}`);
      examples.push({
        ...earlier,
        line: b.line,
        client: m.client!,
        purpose: m.purpose ?? null,
        officer: m.officer ?? null,
        variables: JSON.parse(b.text) as Record<string, unknown>,
        idFrom: m['id-from'] ?? null,
        empty: m.empty ?? null,
      });
    } else {
      throw new Error(`README.md:${b.line}: an example marker before a ${b.lang} block`);
    }
  }
  return examples;
}

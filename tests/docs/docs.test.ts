import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CODE_LISTS } from '../../src/domain/code-lists.js';

describe('documentation', () => {
  it('docs/code-lists.md lists every code of every list', async () => {
    const page = await readFile('docs/code-lists.md', 'utf8');
    for (const [list, codes] of Object.entries(CODE_LISTS)) {
      expect(page, list).toContain(list);
      for (const code of codes) expect(page, `${list}.${code}`).toContain(`\`${code}\``);
    }
  });
});

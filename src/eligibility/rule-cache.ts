import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { currentRules, type CurrentRule } from '../db/queries/eligibility-rule-queries.js';

const TTL_MS = 10_000;

/**
 * The current rule of each program, re-read at most every 10 s. Rules change by inserting a new
 * version; a decision always names the version it applied.
 */
export class RuleCache {
  private rules: Map<string, CurrentRule> | null = null;
  private loadedAt = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<CurrentRule[]> {
    return [...(await this.load()).values()];
  }

  async get(program: string): Promise<CurrentRule | undefined> {
    return (await this.load()).get(program);
  }

  private async load(): Promise<Map<string, CurrentRule>> {
    if (this.rules === null || Date.now() - this.loadedAt > TTL_MS) {
      this.rules = new Map((await currentRules(this.db)).map((r) => [r.program, r]));
      this.loadedAt = Date.now();
    }
    return this.rules;
  }
}

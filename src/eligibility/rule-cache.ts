import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { currentRules, type CurrentRule } from '../db/queries/eligibility-rule-queries.js';

const TTL_MS = 10_000;

/**
 * The rule of each program in force for the served snapshot, re-read at most every 10 s. Rules change by publishing a new version for a date
 * (`rules publish`); it comes into force with the first snapshot as of that date or later, and a
 * decision always names the version it applied.
 *
 * Decisions take the cached rule whatever its age (`forDecision`) and never wait for a re-read:
 * their statement reads the program's current version beside the facts, and a decision made
 * under a rule that is no longer current is made again under the new one (EligibilityService).
 */
export class RuleCache {
  private rules: Map<string, CurrentRule> | null = null;
  private loadedAt = 0;
  /** The read under way, shared by everyone who asks meanwhile. */
  private loading: Promise<Map<string, CurrentRule>> | null = null;

  /** `source`: the database to read the rules from now (the read router's choice). */
  constructor(private readonly source: () => Kysely<Database>) {}

  async all(): Promise<CurrentRule[]> {
    return [...(await this.load()).values()];
  }

  async get(program: string): Promise<CurrentRule | undefined> {
    return (await this.load()).get(program);
  }

  /**
   * The rule of a program as last read, however long ago: the caller checks it against the
   * current version in its own statement. Read first when no rule of the program is known.
   */
  async forDecision(program: string): Promise<CurrentRule | undefined> {
    return this.rules?.get(program) ?? (await this.load()).get(program);
  }

  /**
   * The rules as they are now (a decision found another version than the cached one), read from
   * `from` when given: the database the decision was read from, whose version it reported.
   */
  async reload(from?: Kysely<Database>): Promise<void> {
    // A read under way may have begun before the version changed: wait for it, then read anew.
    await this.loading?.catch(() => {});
    this.loadedAt = 0;
    await this.load(from);
  }

  private load(from?: Kysely<Database>): Promise<Map<string, CurrentRule>> {
    if (this.rules !== null && Date.now() - this.loadedAt <= TTL_MS) {
      return Promise.resolve(this.rules);
    }
    this.loading ??= currentRules(from ?? this.source())
      .then((rows) => {
        this.rules = new Map(rows.map((r) => [r.program, r]));
        this.loadedAt = Date.now();
        return this.rules;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { Logger } from '../logger.js';

/** What every resolver gets: built once per request. */
export interface RequestContext {
  requestId: string;
  logger: Logger;
  /** Read-only queries (replica when DATABASE_READ_URL is set). */
  readDb: Kysely<Database>;
}

import { Ctx, Query, Resolver } from 'type-graphql';
import { currentSnapshot } from '../db/queries/snapshot-query.js';
import { Snapshot } from '../schema/snapshot.type.js';
import type { RequestContext } from './request-context.js';

@Resolver(() => Snapshot)
export class SnapshotResolver {
  @Query(() => Snapshot, {
    nullable: true,
    description: 'The registry snapshot being served, or null before the first snapshot is loaded.',
  })
  async snapshot(@Ctx() ctx: RequestContext): Promise<Snapshot | null> {
    const row = await currentSnapshot(ctx.readDb);
    if (!row) return null;
    return {
      asOf: row.as_of,
      loadedAt: row.loaded_at,
      households: row.households,
      persons: row.persons,
    };
  }
}

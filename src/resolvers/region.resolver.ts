import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { listRegions, type RegionEntry, type RegionLevel } from '../monitoring/region-reference.js';
import { Region, RegionLevel as RegionLevelEnum } from '../schema/region.types.js';
import { RegionCodeScalar } from '../schema/scalars/region-code.scalar.js';
import type { RequestContext } from './request-context.js';

/** The public region reference, for any client and without a purpose (like `programs`). */
@Resolver()
export class RegionResolver {
  @Query(() => [Region], {
    description:
      'The public region reference with the reference population of provinces and regencies: the regions of a level under a region, by code. Any client; needs no X-Purpose.',
  })
  regions(
    @Arg('parentCode', () => RegionCodeScalar, {
      nullable: true,
      description: 'Only regions inside this one; without it, the whole country.',
    })
    parentCode: string | null,
    @Arg('level', () => RegionLevelEnum, {
      nullable: true,
      description:
        'The level to list; default the one just below parentCode (PROVINCE without it). VILLAGE needs a regency or district as parentCode.',
    })
    level: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<RegionEntry[]> {
    return listRegions(ctx.readDb, { parentCode, level: level as RegionLevel | null });
  }
}

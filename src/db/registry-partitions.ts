/**
 * How the served registry is partitioned (migration 0032, docs/scale.md): `household` and
 * `member` by LIST on `province`, one partition per province of the region reference and one for
 * households without a region. The migration and every import build their partitions here.
 */

/** The registry tables partitioned by province. */
export const PARTITIONED_TABLES = ['household', 'member'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** The province of a household without a region code. */
export const NO_PROVINCE = '';

/** A household's province, from its village code (`alias` names the household's table). */
export function householdProvinceSql(alias: string): string {
  return `coalesce(left(${alias}.region_code, 2), '${NO_PROVINCE}')`;
}

/**
 * In place of the provinces: one DEFAULT partition holding every province, for a snapshot too
 * small for partitions to pay (src/snapshot/snapshot-importer.ts).
 */
export const EVERY_PROVINCE = '*';

/**
 * Below this many households one partition holds every province: a partition per province costs
 * an import about a second of catalogue work (a table and 8 indexes each), and tables that fit
 * in memory gain nothing from pruning. The statements are the same either way.
 */
export const PARTITION_FROM_HOUSEHOLDS = 500_000;

/** The name of the partition of `parent` holding `province`. */
export function partitionName(parent: string, province: string): string {
  const suffix = province === NO_PROVINCE ? 'none' : province === EVERY_PROVINCE ? 'all' : province;
  return `${parent}_p${suffix}`;
}

/**
 * CREATE TABLE statements of a partitioned registry table: the parent, with the columns of
 * `like` (and `province`, unless `like` has it already), and one partition for each of
 * `provinces` ({@link NO_PROVINCE} included when wanted; {@link EVERY_PROVINCE}: the default). No indexes: bulk loads are faster
 * without them.
 */
export function partitionedTableDdl(
  parent: string,
  like: string,
  provinces: readonly string[],
  options: { addProvince: boolean },
): string[] {
  const province = options.addProvince ? `, province text COLLATE "C" NOT NULL` : '';
  return [
    `CREATE TABLE ${parent} (LIKE ${like} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED${province})
       PARTITION BY LIST (province)`,
    ...provinces.map(
      (p) =>
        `CREATE TABLE ${partitionName(parent, p)} PARTITION OF ${parent} ` +
        (p === EVERY_PROVINCE ? 'DEFAULT' : `FOR VALUES IN ('${p}')`),
    ),
  ];
}

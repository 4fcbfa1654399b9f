import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AGE_BANDS } from '../domain/age-bands.js';
import { DIMENSIONS, MEASURES } from '../domain/statistics-query.js';
import { Program } from './eligibility.types.js';
import { DateScalar } from './scalars/date.scalar.js';

export const StatisticsMeasure = Object.fromEntries(MEASURES.map((m) => [m, m]));

/** Who the targeting measures count, said once for the four of them. */
const TARGETING_UNITS =
  'Per program, in its own unit: households for PKH and BPNT, persons for PBI_JK and PIP; group by PROGRAM or filter on exactly one program (BAD_USER_INPUT otherwise). ' +
  'A household receives a program when at least one of its members, whatever the status, is listed as a recipient, and is eligible when its ACTIVE members are decided ELIGIBLE by the program’s rule (at least one; under the PKH and BPNT rules all of them are decided alike); SEX and AGE_BAND are its head’s. ' +
  'Person programs count at most 10 persons per household (the first 10 by NIK among its members who are ACTIVE or receive PBI_JK or PIP); a person receives a program when listed as a recipient, whatever the status, and is eligible when the rule decides ELIGIBLE (never when not ACTIVE). ' +
  'Eligibility uses the rules recorded when the snapshot was imported (see ruleVersions).';

registerEnumType(StatisticsMeasure, {
  name: 'StatisticsMeasure',
  description:
    'What is counted. PERSONS and HOUSEHOLDS count the registry; RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS and RECIPIENTS_NOT_ELIGIBLE say whether programs reach their targets (docs/privacy.md). ' +
    'RECIPIENTS = recipients eligible + RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE = recipients eligible + ELIGIBLE_NON_RECIPIENTS, cell by cell.',
  valuesConfig: {
    PERSONS: {
      description:
        'ACTIVE members, at most 10 per household (the first 10 by NIK; larger households count as 10).',
    },
    HOUSEHOLDS: { description: 'Households.' },
    RECIPIENTS: { description: `Units receiving the program. ${TARGETING_UNITS}` },
    ELIGIBLE: {
      description: `Units eligible for the program under its rule. ${TARGETING_UNITS}`,
    },
    ELIGIBLE_NON_RECIPIENTS: {
      description: `Units eligible for the program that do not receive it (exclusion error). ${TARGETING_UNITS}`,
    },
    RECIPIENTS_NOT_ELIGIBLE: {
      description: `Units receiving the program that are not eligible for it (inclusion error), e.g. a recipient who died or moved, or a household above the decile threshold. ${TARGETING_UNITS}`,
    },
  },
});

export const StatisticsDimension = Object.fromEntries(DIMENSIONS.map((d) => [d, d]));
registerEnumType(StatisticsDimension, {
  name: 'StatisticsDimension',
  description:
    'A dimension to group by. Codes: PROVINCE (2-digit region code), REGENCY (4 digits), DISTRICT (6 digits; not available to researchers), ' +
    'DECILE (1–10), PROGRAM (PKH, BPNT, PBI_JK, PIP; a household or person is counted once in each program it receives), ' +
    'SEX (M or F), AGE_BAND (' +
    AGE_BANDS.map((b) => b.code).join(', ') +
    ': completed years at the snapshot’s as-of date). For HOUSEHOLDS, SEX and AGE_BAND are those of the head of household.',
});

export const StatisticsMethod = {
  DIFFERENTIAL_PRIVACY: 'DIFFERENTIAL_PRIVACY',
  SUPPRESSION: 'SUPPRESSION',
  EXACT: 'EXACT',
};
registerEnumType(StatisticsMethod, {
  name: 'StatisticsMethod',
  description:
    'How the numbers were protected. DIFFERENTIAL_PRIVACY (researchers): integer noise added to every cell, see margin95, then fitted into a consistent non-negative table (margins add up). ' +
    'SUPPRESSION (internal dashboards): the cell-key method — each count moved by at most 4, the same units always by the same amount — with cells of 1–9 and the cells needed to protect them hidden. ' +
    'EXACT (administrators with statistics:exact): exact counts.',
});

@InputType({ description: 'Which units to count (all conditions given must hold).' })
export class StatisticsFilter {
  @Field(() => String, {
    nullable: true,
    description:
      'Region-code prefix of 2, 4, 6 or 10 digits (province … village). Researchers: at most 4 digits (regency).',
  })
  regionCode?: string | null;

  @Field(() => [Int], {
    nullable: true,
    description:
      'Only households (and their members) in these welfare deciles (1–10). Internal dashboards: the poorest k only, [1, …, k].',
  })
  deciles?: number[] | null;

  @Field(() => [Program], {
    nullable: true,
    description:
      'PERSONS and HOUSEHOLDS: only units receiving at least one of these programs: a person who is a recipient, a household with at least one ACTIVE recipient member. With PROGRAM grouped, also limits the PROGRAM cells to these. ' +
      'Targeting measures (RECIPIENTS, ELIGIBLE, …): the programs counted — with PROGRAM grouped, the PROGRAM cells; without, exactly one program. ' +
      'Internal dashboards: one program unless PROGRAM is grouped.',
  })
  programs?: string[] | null;
}

@InputType({ description: 'A statistics question: what to count, grouped how, within what.' })
export class StatisticsQuery {
  @Field(() => StatisticsMeasure, { description: 'Count persons or households.' })
  measure!: string;

  @Field(() => [StatisticsDimension], {
    nullable: true,
    description:
      'Up to 3 dimensions, at most one of them a region level; one cell per combination of their codes (the full grid, empty cells included). None: one cell, the total.',
  })
  groupBy?: string[] | null;

  @Field(() => StatisticsFilter, { nullable: true, description: 'Which units to count.' })
  filter?: StatisticsFilter | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Researchers only: privacy loss ε this query may spend, greater than 0 and at most 1.0, up to three decimals (default 0.1). Larger ε: less noise, more budget spent.',
  })
  epsilon?: number | null;
}

@ObjectType({ description: 'One coordinate of a cell: a dimension and its code there.' })
export class CellKey {
  @Field(() => StatisticsDimension, { description: 'The dimension.' })
  dimension!: string;

  @Field(() => String, {
    description: 'The code: region code, decile 1–10, program code, M/F or age-band code.',
  })
  code!: string;

  @Field(() => String, {
    description: 'A human-readable label of the code (e.g. the region name).',
  })
  label!: string;
}

@ObjectType({ description: 'One cell of a statistics table.' })
export class StatisticsCell {
  @Field(() => [CellKey], {
    description: 'The cell’s code in each grouped dimension, in the order of groupBy.',
  })
  key!: CellKey[];

  @Field(() => Int, {
    nullable: true,
    description:
      'The count: exact (EXACT), with noise and fitted into a consistent non-negative table (DIFFERENTIAL_PRIVACY), or moved by at most 4 by its cell key and never under 10 unless 0 (SUPPRESSION, the cell-key method); null when the cell is suppressed.',
  })
  value!: number | null;

  @Field(() => Boolean, {
    description:
      'True when the value is withheld: a small cell (1–9) or its complement (dashboards). Researchers’ cells are never withheld.',
  })
  suppressed!: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      'DIFFERENTIAL_PRIVACY only: the noise is within ± this in 95% of cells (the true count is value ± margin95 with 95% probability). Null for exact counts and suppressed cells.',
  })
  margin95!: number | null;
}

@ObjectType({
  description: 'The version of a program’s eligibility rule that decided a targeting table.',
})
export class StatisticsRuleVersion {
  @Field(() => Program, { description: 'The program.' })
  program!: string;

  @Field(() => Int, {
    description:
      'The rule’s version (as listed with the program’s eligibility rules): the one current when the snapshot was imported, or, for a snapshot imported before rule versions were recorded, the one current when asked.',
  })
  version!: number;
}

@ObjectType({
  description:
    'How the noise of a differentially private table was made: what a reader needs to judge it (docs/privacy.md).',
})
export class StatisticsNoise {
  @Field(() => String, {
    description:
      'DISCRETE_LAPLACE: integer noise P(k) ∝ exp(−|k| / scale), from a cryptographic random source, added to every cell independently.',
  })
  mechanism!: string;

  @Field(() => Float, { description: 'The ε this table was made with (its whole cost).' })
  epsilon!: number;

  @Field(() => Int, {
    description:
      'The L1 sensitivity: how much all the cells of the table can change together when one household is added or removed (1 for HOUSEHOLDS by any one grouping; more for PERSONS and PROGRAM groupings).',
  })
  sensitivity!: number;

  @Field(() => Float, { description: 'The noise scale: sensitivity ÷ ε.' })
  scale!: number;
}

@ObjectType({ description: 'One dimension of a compact table: its codes in order, with labels.' })
export class StatisticsTableDimension {
  @Field(() => StatisticsDimension, { description: 'The dimension.' })
  dimension!: string;

  @Field(() => [String], {
    description: 'Its codes, in the order the table runs through them (as CellKey.code).',
  })
  codes!: string[];

  @Field(() => [String], { description: 'A label per code, in the same order.' })
  labels!: string[];
}

@ObjectType({
  description:
    'A table in compact form, for large grids: the dimensions and parallel lists over the cells in row-major order (the last dimension varies fastest), so cell i of dimensions with n1, n2, n3 codes has codes (⌊i / (n2·n3)⌋, ⌊i / n3⌋ mod n2, i mod n3). The same numbers as `cells`.',
})
export class StatisticsTable {
  @Field(() => [StatisticsTableDimension], {
    description: 'The grouped dimensions, in the order of groupBy (none: one cell, the total).',
  })
  dimensions!: StatisticsTableDimension[];

  @Field(() => [Int], {
    nullable: 'items',
    description: 'The value of each cell (as StatisticsCell.value); null when suppressed.',
  })
  values!: (number | null)[];

  @Field(() => [Boolean], { description: 'Whether each cell is suppressed.' })
  suppressed!: boolean[];

  @Field(() => [Int], {
    nullable: 'items',
    description: 'The 95% margin of each cell (as StatisticsCell.margin95).',
  })
  margin95!: (number | null)[];
}

@ObjectType({ description: 'A statistics table with disclosure control (CONTRACT §8).' })
export class StatisticsResult {
  @Field(() => [StatisticsCell], {
    description:
      'Every cell of the grid, row-major in the order of groupBy, each with its key. For tables of thousands of cells, `table` gives the same numbers faster.',
  })
  cells!: StatisticsCell[];

  @Field(() => StatisticsTable, {
    description: 'The same table in compact form: dimensions and parallel lists.',
  })
  table!: StatisticsTable;

  @Field(() => StatisticsMethod, { description: 'How the numbers were protected.' })
  method!: string;

  @Field(() => Float, {
    description: 'ε spent by this call: 0 for a cached answer and for non-private methods.',
  })
  epsilonSpent!: number;

  @Field(() => StatisticsNoise, {
    nullable: true,
    description:
      'DIFFERENTIAL_PRIVACY: the mechanism, ε, sensitivity and scale of the table (the same for a cached answer, which is the table made then). Null for exact and suppressed counts.',
  })
  noise!: StatisticsNoise | null;

  @Field(() => [String], {
    description:
      'DIFFERENTIAL_PRIVACY: the figures published exactly beside the noisy tables, outside the guarantee — `snapshot.households` and `snapshot.persons`, the registry totals anyone may read. The guarantee holds given them (docs/privacy.md). No count of this table is exact. Empty for other methods.',
  })
  invariants!: string[];

  @Field(() => Float, {
    nullable: true,
    description:
      'Your agency’s privacy budget (ε) left in the current accounting period after this call (all its clients draw from it); null for methods without a budget.',
  })
  budgetRemaining!: number | null;

  @Field(() => DateScalar, { description: 'The as-of date of the snapshot counted.' })
  dataAsOf!: string;

  @Field(() => Boolean, {
    description:
      'True when this is the stored answer to the same question asked before on this snapshot (by anyone): identical cells, nothing spent.',
  })
  cached!: boolean;

  @Field(() => [StatisticsRuleVersion], {
    description:
      'Targeting measures (RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE): for each program of the table, the version of its eligibility rule that decided who is eligible. A rule changed after the snapshot was imported applies from the next import. Empty for PERSONS and HOUSEHOLDS.',
  })
  ruleVersions!: StatisticsRuleVersion[];
}

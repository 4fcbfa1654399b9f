/**
 * Code lists of the snapshot format (CONTRACT §4) — this is the place.
 *
 * Every coded column of `households.csv` and `members.csv` takes one of these values. The housing
 * lists follow the DTKS/DTSEN household questionnaire (BPS Susenas wording in `docs/code-lists.md`),
 * ordered roughly from the best to the poorest condition. New codes go here and in the doc; removing
 * one is a breaking change for partner agencies.
 */
export const CODE_LISTS = Object.freeze({
  floor_type: [
    'MARBLE_GRANITE',
    'CERAMIC',
    'PARQUET_VINYL',
    'TERRAZZO_TILE',
    'HIGH_QUALITY_WOOD',
    'CEMENT_BRICK',
    'BAMBOO',
    'LOW_QUALITY_WOOD',
    'EARTH',
    'OTHER',
  ],
  wall_type: ['MASONRY', 'PLASTERED_BAMBOO', 'WOOD', 'WOVEN_BAMBOO', 'LOG', 'BAMBOO', 'OTHER'],
  roof_type: [
    'CONCRETE',
    'CLAY_TILE',
    'SHINGLE',
    'ZINC',
    'ASBESTOS',
    'BAMBOO',
    'WOOD',
    'THATCH',
    'OTHER',
  ],
  water_source: [
    'BOTTLED',
    'PIPED',
    'DRILLED_WELL',
    'PROTECTED_WELL',
    'PROTECTED_SPRING',
    'UNPROTECTED_WELL',
    'UNPROTECTED_SPRING',
    'SURFACE_WATER',
    'RAINWATER',
    'OTHER',
  ],
  sanitation: ['PRIVATE_TOILET', 'SHARED_TOILET', 'PUBLIC_TOILET', 'NONE'],
  lighting: ['PLN_METERED', 'PLN_UNMETERED', 'NON_PLN', 'NONE'],
  cooking_fuel: [
    'ELECTRICITY',
    'LPG_LARGE',
    'LPG_3KG',
    'PIPED_GAS',
    'KEROSENE',
    'CHARCOAL',
    'FIREWOOD',
    'NONE',
  ],
  verification_status: ['VERIFIED', 'PENDING', 'REJECTED'],
  source: ['SIKS_NG', 'SIKS_DROID', 'MUSDES', 'BPS'],
  sex: ['M', 'F'],
  relationship: ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'OTHER'],
  disability: ['NONE', 'MILD', 'SEVERE'],
  status: ['ACTIVE', 'DECEASED', 'MOVED'],
} as const);

export type CodeListName = keyof typeof CODE_LISTS;
export type Code<L extends CodeListName> = (typeof CODE_LISTS)[L][number];

export type FloorType = Code<'floor_type'>;
export type WallType = Code<'wall_type'>;
export type RoofType = Code<'roof_type'>;
export type WaterSource = Code<'water_source'>;
export type Sanitation = Code<'sanitation'>;
export type Lighting = Code<'lighting'>;
export type CookingFuel = Code<'cooking_fuel'>;
export type VerificationStatus = Code<'verification_status'>;
export type DataSource = Code<'source'>;
export type Sex = Code<'sex'>;
export type Relationship = Code<'relationship'>;
export type Disability = Code<'disability'>;
export type MemberStatus = Code<'status'>;

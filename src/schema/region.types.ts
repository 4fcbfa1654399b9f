import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export const RegionLevel = {
  PROVINCE: 'PROVINCE',
  REGENCY: 'REGENCY',
  DISTRICT: 'DISTRICT',
  VILLAGE: 'VILLAGE',
};
registerEnumType(RegionLevel, {
  name: 'RegionLevel',
  description:
    'A level of the region reference: PROVINCE (2-digit code), REGENCY (regency or city, 4), DISTRICT (kecamatan, 6), VILLAGE (desa or kelurahan, 10).',
});

@ObjectType({ description: 'Reference population of a province or regency (2024, data/wilayah/).' })
export class RegionPopulation {
  @Field(() => Int, { description: 'Men.' })
  male!: number;

  @Field(() => Int, { description: 'Women.' })
  female!: number;

  @Field(() => Int, { description: 'Everyone.' })
  total!: number;
}

@ObjectType({
  description:
    'A region of the public reference (kode wilayah, Kepmendagri 300.2.2-2138/2025): public data, not the registry.',
})
export class Region {
  @Field(() => String, { description: 'The region code without dots (2, 4, 6 or 10 digits).' })
  code!: string;

  @Field(() => String, { description: 'Its name, e.g. Kabupaten Bogor.' })
  name!: string;

  @Field(() => RegionLevel, { description: 'Its level.' })
  level!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The region it lies in; null for a province.',
  })
  parentCode!: string | null;

  @Field(() => RegionPopulation, {
    nullable: true,
    description: 'Reference population; provinces and regencies only, null below.',
  })
  population!: RegionPopulation | null;
}

import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';
import { DateScalar } from './scalars/date.scalar.js';

@ObjectType({ description: 'The registry snapshot the gateway serves (one DTKS/DTSEN export).' })
export class Snapshot {
  @Field(() => DateScalar, {
    description: 'The date the data describes; every decision and statistic is "as of" this date.',
  })
  asOf!: string;

  @Field(() => GraphQLDateTimeISO, {
    description: 'When this snapshot was loaded into the gateway.',
  })
  loadedAt!: Date;

  @Field(() => Float, {
    description: 'Households in the whole registry (not only those you may see).',
  })
  households!: number;

  @Field(() => Float, {
    description: 'Persons in the whole registry (not only those you may see).',
  })
  persons!: number;
}

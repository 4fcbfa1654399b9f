import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from './records/household-connection.type.js';

@ObjectType({ description: 'One access to a person’s data, from the tamper-evident audit log.' })
export class AccessLogEntry {
  @Field(() => GraphQLDateTimeISO)
  at!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The client that asked (null: not authenticated).',
  })
  clientId!: string | null;

  @Field(() => String, { nullable: true })
  agencyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The officer at the agency (X-Officer-Id).' })
  officerId!: string | null;

  @Field(() => String, { nullable: true, description: 'The declared purpose (X-Purpose).' })
  purpose!: string | null;

  @Field(() => String, { description: 'Operation type and root fields, e.g. query:person.' })
  operation!: string;

  @Field(() => String, { description: 'DISCLOSED, NOT_FOUND, REFUSED or FAILED.' })
  outcome!: string;

  @Field(() => [String], { description: 'Fields disclosed, as Type.field.' })
  fields!: string[];
}

@ObjectType()
export class AccessLogEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AccessLogEntry)
  node!: AccessLogEntry;
}

@ObjectType({ description: 'Accesses to one person’s data, newest first.' })
export class AccessLogConnection {
  @Field(() => [AccessLogEdge])
  edges!: AccessLogEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

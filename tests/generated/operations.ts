/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> =
  T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string };
  String: { input: string; output: string };
  Boolean: { input: boolean; output: boolean };
  Int: { input: number; output: number };
  Float: { input: number; output: number };
  Date: { input: string; output: string };
  DateTimeISO: { input: string; output: string };
};

export type Query = {
  __typename?: 'Query';
  /** The registry snapshot being served, or null before the first snapshot is loaded. */
  snapshot?: Maybe<Snapshot>;
};

/** The registry snapshot the gateway serves (one DTKS/DTSEN export). */
export type Snapshot = {
  __typename?: 'Snapshot';
  /** The date the data describes; every decision and statistic is "as of" this date. */
  asOf: Scalars['Date']['output'];
  /** Households in the whole registry (not only those you may see). */
  households: Scalars['Float']['output'];
  /** When this snapshot was loaded into the gateway. */
  loadedAt: Scalars['DateTimeISO']['output'];
  /** Persons in the whole registry (not only those you may see). */
  persons: Scalars['Float']['output'];
};

export type SnapshotQueryVariables = Exact<{ [key: string]: never }>;

export type SnapshotQuery = {
  snapshot: { asOf: string; loadedAt: string; households: number; persons: number } | null;
};

export const SnapshotDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Snapshot' },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'snapshot' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'asOf' } },
                { kind: 'Field', name: { kind: 'Name', value: 'loadedAt' } },
                { kind: 'Field', name: { kind: 'Name', value: 'households' } },
                { kind: 'Field', name: { kind: 'Name', value: 'persons' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<SnapshotQuery, SnapshotQueryVariables>;

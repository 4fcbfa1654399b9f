import { createHash } from 'node:crypto';
import { Kind, parse } from 'graphql';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * Trusted documents (CONTRACT §10): the GraphQL documents each client application published,
 * per version (table `persisted_document`, migration 0014). Publishing is an operator command run
 * as the owner; the serving gateway only reads.
 */

/** A SHA-256 hex document identifier of the GraphQL-over-HTTP persisted-documents appendix. */
export const DOCUMENT_ID_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** An application name: lower-case letters, digits, `.`, `_` and `-` (as the table checks). */
export const APP_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** A version: letters, digits, `.`, `+`, `_` and `-`, e.g. `0.1.0` or `2026.11.3-rc1`. */
export const APP_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/;

/** Documents published in one insert statement (4 parameters each, far below 65,535). */
const INSERT_CHUNK = 2000;

/** The id of a document: `sha256:` and the SHA-256 (lower-case hex) of its UTF-8 text. */
export function documentIdOf(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** A manifest or a publication that is refused; the message names ids, never document text. */
export class DocumentPublishError extends Error {
  override name = 'DocumentPublishError';
}

/**
 * Reads a persisted-documents manifest as GraphQL Code Generator's client preset writes it with
 * `persistedDocuments: { hashAlgorithm: 'sha256' }`: a JSON object whose keys are document ids
 * (`sha256:<hex>`; keys without the prefix, as older presets wrote them, are accepted) and whose
 * values are the documents' text. Every document must be GraphQL whose SHA-256 is its id:
 * otherwise the whole manifest is refused, naming the first bad id. Returns id → text.
 */
export function parseManifest(text: string): Map<string, string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new DocumentPublishError('the manifest is not JSON');
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new DocumentPublishError('the manifest is not a JSON object of id → document');
  }
  const documents = new Map<string, string>();
  for (const [key, body] of Object.entries(manifest as Record<string, unknown>)) {
    const hex = key.startsWith('sha256:') ? key.slice('sha256:'.length) : key;
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw new DocumentPublishError(`"${shorten(key)}" is not a SHA-256 document id`);
    }
    const id = `sha256:${hex.toLowerCase()}`;
    if (typeof body !== 'string') {
      throw new DocumentPublishError(`document ${id} is not a string`);
    }
    if (documentIdOf(body) !== id) {
      throw new DocumentPublishError(
        `document ${id} is not the SHA-256 of its text; nothing was published`,
      );
    }
    if (!isExecutableDocument(body)) {
      throw new DocumentPublishError(`document ${id} is not a GraphQL operation document`);
    }
    documents.set(id, body);
  }
  if (documents.size === 0) throw new DocumentPublishError('the manifest holds no document');
  return documents;
}

function isExecutableDocument(text: string): boolean {
  try {
    const { definitions } = parse(text, { noLocation: true });
    return (
      definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION) &&
      definitions.every(
        (d) => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION,
      )
    );
  } catch {
    return false;
  }
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

export type PublishOutcome = 'published' | 'unchanged';

/**
 * Publishes the documents of one application version in one transaction. Publishing a version
 * again with the same documents changes nothing (`unchanged`); with other documents it is
 * refused: a published version is immutable, so a client built against it keeps working.
 */
export async function publishDocuments(
  db: Kysely<Database>,
  app: string,
  version: string,
  documents: ReadonlyMap<string, string>,
): Promise<PublishOutcome> {
  if (!APP_NAME_PATTERN.test(app)) {
    throw new DocumentPublishError(
      'an application name is 1–63 lower-case letters, digits, ".", "_" or "-"',
    );
  }
  if (!APP_VERSION_PATTERN.test(version)) {
    throw new DocumentPublishError(
      'a version is 1–64 letters, digits, ".", "+", "_" or "-", starting with a letter or digit',
    );
  }
  if (documents.size === 0) throw new DocumentPublishError('no document to publish');
  for (const [id, body] of documents) {
    if (!DOCUMENT_ID_PATTERN.test(id) || documentIdOf(body) !== id) {
      throw new DocumentPublishError(`document ${id} is not the SHA-256 of its text`);
    }
  }
  return db.transaction().execute(async (tx) => {
    // Two publishers of the same version take turns: the second sees the first's rows.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`persisted_document:${app}@${version}`}, 0))`.execute(
      tx,
    );
    const existing = await tx
      .selectFrom('persisted_document')
      .select('id')
      .where('app', '=', app)
      .where('version', '=', version)
      .execute();
    if (existing.length > 0) {
      // Ids are hashes of the texts: the same set of ids is the same documents.
      const same = existing.length === documents.size && existing.every((r) => documents.has(r.id));
      if (same) return 'unchanged';
      throw new DocumentPublishError(
        `${app}@${version} is already published with other documents; publish a new version`,
      );
    }
    const rows = [...documents].map(([id, body]) => ({ app, version, id, body }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx
        .insertInto('persisted_document')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    return 'published';
  });
}

/** One published application version, as `documents list` shows it. */
export interface PublishedVersion {
  app: string;
  version: string;
  documents: number;
  publishedAt: Date;
}

/** The published versions (of one application, or all), by application then publication time. */
export async function listPublished(
  db: Kysely<Database>,
  app?: string,
): Promise<PublishedVersion[]> {
  let query = db
    .selectFrom('persisted_document')
    .select(['app', 'version'])
    .select((eb) => [
      eb.fn.countAll<string>().as('documents'),
      eb.fn.min('published_at').as('published_at'),
    ])
    .groupBy(['app', 'version']);
  if (app !== undefined) query = query.where('app', '=', app);
  const rows = await query.orderBy('app').orderBy('published_at').orderBy('version').execute();
  return rows.map((r) => ({
    app: r.app,
    version: r.version,
    documents: Number(r.documents),
    publishedAt: r.published_at,
  }));
}

/** An application version that published a document. */
export interface DocumentPublication {
  app: string;
  version: string;
}

/**
 * Every application version that published the document `id`, newest first (empty when none
 * did), with the document's text when `withBody` (every publication of an id holds the same
 * text: the id is its hash).
 */
export async function documentPublications(
  db: Kysely<Database>,
  id: string,
  options: { withBody: boolean },
): Promise<{ publications: DocumentPublication[]; body: string | null }> {
  const rows = await db
    .selectFrom('persisted_document')
    .select(['app', 'version'])
    .$if(options.withBody, (q) => q.select('body'))
    .where('id', '=', id)
    .orderBy('published_at', 'desc')
    .orderBy('app')
    .orderBy('version', 'desc')
    .execute();
  const first = rows[0] as { body?: string } | undefined;
  return {
    publications: rows.map((r) => ({ app: r.app, version: r.version })),
    body: first?.body ?? null,
  };
}

import type { HTTPGraphQLRequest } from '@apollo/server';
import type { Kysely } from 'kysely';
import type { Agreement } from '../auth/agreement.js';
import type { Database } from '../db/database-types.js';
import {
  DOCUMENT_ID_PATTERN,
  documentPublications,
  type DocumentPublication,
} from '../db/queries/document-queries.js';
import {
  badUserInput,
  forbidden,
  persistedQueryNotFound,
  persistedQueryRequired,
  type GatewayError,
} from '../errors/gateway-errors.js';

/**
 * Trusted documents at request time (CONTRACT §10, docs/security.md "Trusted documents").
 *
 * A request may name a published document instead of sending its text, in either form:
 *
 * - GraphQL over HTTP (persisted documents appendix): `{"documentId": "sha256:<hex>", …}` in a
 *   POST body, or `?documentId=sha256:<hex>&…` on a GET;
 * - Apollo's: `extensions.persistedQuery = {version: 1, sha256Hash: "<hex>"}`. Apollo's automatic
 *   persisted queries are off (one cache for every client), so nothing is ever registered this
 *   way: the hash must name a published document.
 *
 * The gateway looks the document up, checks the client may run it, and hands Apollo the request
 * with the text in place of the id. A client whose agreement is "trusted documents only" may send
 * nothing else: query text is refused with PERSISTED_QUERY_REQUIRED before anything is parsed.
 */

/** The document a request ran, for its audit event: its id and `name@version` of its publisher. */
export interface ResolvedDocument {
  id: string;
  app: string;
}

export interface DocumentResolution {
  /** The request for Apollo: unchanged, or with the document's text in place of the id. */
  request: HTTPGraphQLRequest;
  document: ResolvedDocument | null;
}

/** At most this many documents, and this many characters of document text, are cached. */
const MAX_CACHED_DOCUMENTS = 10_000;
const MAX_CACHED_CHARS = 32 * 1024 * 1024;

const APOLLO_HASH = /^[0-9a-f]{64}$/;

/** What a request names: query text, a document id (null when malformed), both or neither. */
interface Named {
  text: boolean;
  /** Absent: no document named; `null`: a document named with an id that is not well-formed. */
  id?: string | null;
  /** True for the GraphQL-over-HTTP `documentId` form, false for Apollo's extension. */
  documentIdForm: boolean;
}

/**
 * Resolves the documents requests name. Document texts are cached by id without expiry: an id is
 * the hash of its text, so a cached text can never be stale. Which applications published a
 * document is read on every request (one indexed look-up), so a version published meanwhile by
 * `documents publish` counts at once, and checked against the client's agreement.
 */
export class PersistedDocuments {
  private readonly texts = new Map<string, string>();
  private cachedChars = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The request as Apollo should run it, and the document it runs; throws a {@link GatewayError}
   * (PERSISTED_QUERY_REQUIRED, PERSISTED_QUERY_NOT_FOUND, FORBIDDEN, BAD_USER_INPUT) to refuse it
   * before GraphQL runs. The error carries the document id when one was named.
   */
  async resolve(request: HTTPGraphQLRequest, agreement: Agreement): Promise<DocumentResolution> {
    const named = whatIsNamed(request);
    if (named.text) {
      if (agreement.trustedDocumentsOnly) throw persistedQueryRequired();
      // Text with a documentId is ambiguous. Text with Apollo's hash is how an APQ client
      // registers a query: Apollo answers PERSISTED_QUERY_NOT_SUPPORTED, as before.
      if (named.id !== undefined && named.documentIdForm) {
        throw badUserInput('send query text or a documentId, not both');
      }
      return { request, document: null };
    }
    if (named.id === undefined) {
      if (agreement.trustedDocumentsOnly) throw persistedQueryRequired();
      return { request, document: null }; // neither: Apollo says what is missing
    }
    const id = named.id;
    if (id === null) throw persistedQueryNotFound();
    const withId = <E extends GatewayError>(error: E): E => {
      error.documentId = id;
      return error;
    };
    const cached = this.texts.get(id);
    const found = await documentPublications(this.db, id, { withBody: cached === undefined });
    const text = cached ?? found.body;
    if (found.publications.length === 0 || text === null) throw withId(persistedQueryNotFound());
    const publication = usable(found.publications, agreement.documentApps);
    if (!publication) {
      throw withId(forbidden('your agreement does not allow the application that published it'));
    }
    if (cached === undefined) this.remember(id, text);
    return {
      request: withText(request, text),
      document: { id, app: `${publication.app}@${publication.version}` },
    };
  }

  private remember(id: string, text: string): void {
    // Two requests may miss the same id at once: count its text once.
    if (text.length > MAX_CACHED_CHARS || this.texts.has(id)) return;
    this.texts.set(id, text);
    this.cachedChars += text.length;
    // Oldest first (a Map keeps insertion order): enough for a set of dashboards' documents.
    for (const [oldId, oldText] of this.texts) {
      if (this.texts.size <= MAX_CACHED_DOCUMENTS && this.cachedChars <= MAX_CACHED_CHARS) break;
      this.texts.delete(oldId);
      this.cachedChars -= oldText.length;
    }
  }
}

/** The newest publication of an application the agreement allows (any, when it names none). */
function usable(
  publications: readonly DocumentPublication[],
  apps: readonly string[],
): DocumentPublication | undefined {
  return apps.length === 0 ? publications[0] : publications.find((p) => apps.includes(p.app));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads what a POST body or GET query string names, as Apollo would read the same request. */
function whatIsNamed(request: HTTPGraphQLRequest): Named {
  if (request.method === 'GET') {
    const params = new URLSearchParams(request.search);
    const ids = params.getAll('documentId');
    let extensions: unknown;
    try {
      extensions = JSON.parse(params.get('extensions') ?? 'null');
    } catch {
      extensions = null; // Apollo refuses it
    }
    // A documentId given twice names no one document: treated as an id that is not well-formed.
    return named(params.has('query'), ids.length > 1 ? ids.join(',') : ids[0], extensions);
  }
  if (!isRecord(request.body)) return { text: false, documentIdForm: false };
  const body = request.body;
  return named(typeof body.query === 'string', body.documentId, body.extensions);
}

function named(text: boolean, documentId: unknown, extensions: unknown): Named {
  const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;
  const byDocumentId = documentId !== undefined && documentId !== null;
  const byHash = persisted !== undefined && persisted !== null;
  if (!byDocumentId && !byHash) return { text, documentIdForm: false };
  const fromDocumentId =
    typeof documentId === 'string' && DOCUMENT_ID_PATTERN.test(documentId) ? documentId : null;
  const fromHash =
    isRecord(persisted) &&
    persisted.version === 1 &&
    typeof persisted.sha256Hash === 'string' &&
    APOLLO_HASH.test(persisted.sha256Hash)
      ? `sha256:${persisted.sha256Hash}`
      : null;
  if (byDocumentId && byHash && fromDocumentId !== fromHash) {
    return { text, id: null, documentIdForm: true }; // two different ids: no such document
  }
  return { text, id: byDocumentId ? fromDocumentId : fromHash, documentIdForm: byDocumentId };
}

/** The request with `query` set to the text and the id (either form) removed. */
function withText(request: HTTPGraphQLRequest, text: string): HTTPGraphQLRequest {
  if (request.method === 'GET') {
    const params = new URLSearchParams(request.search);
    params.delete('documentId');
    params.set('query', text);
    const rest = withoutPersistedQuery(safeJson(params.get('extensions')));
    if (rest === undefined) params.delete('extensions');
    else params.set('extensions', JSON.stringify(rest));
    return { ...request, search: `?${params.toString()}` };
  }
  const { documentId: _id, extensions, ...body } = request.body as Record<string, unknown>;
  const rest = withoutPersistedQuery(extensions);
  return { ...request, body: { ...body, query: text, ...(rest ? { extensions: rest } : {}) } };
}

/** Extensions without `persistedQuery` (Apollo refuses it: APQ is off), or undefined if none left. */
function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions)) return undefined;
  const { persistedQuery: _pq, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function safeJson(text: string | null): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch {
    return null;
  }
}

import type { ApolloServerPlugin } from '@apollo/server';
import type { IMiddleware, IMiddlewareFunction } from 'graphql-middleware';
import { responsePathAsArray } from 'graphql';
import type { AuditEventInput, AuditOutcome } from '../../audit/audit-event.js';
import { ROOT_FIELD_POLICY } from '../../auth/operation-policy.js';
import { HOUSEHOLD_COLUMNS, PERSON_COLUMNS } from '../../db/scoped/record-projection.js';
import type { Logger } from '../../logger.js';
import type { RequestContext } from '../../resolvers/request-context.js';
import { ROOT_FIELDS, type WithRootFields } from './operation-policy.plugin.js';

/** Writes audit events; resolves once the event is committed. */
export interface AuditSink {
  record(event: AuditEventInput): Promise<void>;
}

/**
 * Fields of record types governed by the field policy (the rest, such as `id`, are always shown),
 * and the types of a person's own report, whose every field given is noted (none is governed).
 */
const GOVERNED: Record<string, ReadonlySet<string>> = {
  Household: new Set([...Object.keys(HOUSEHOLD_COLUMNS), 'members']),
  Person: new Set([...Object.keys(PERSON_COLUMNS), 'household']),
  // A person's own report (CONTRACT §13): theirs, in clear, every field given is noted.
  SubjectPerson: new Set(),
  SubjectHousehold: new Set(),
  SubjectDecision: new Set(),
};

/**
 * Fields of record types that say nothing about the person or household (the snapshot's as-of
 * date): not governed, and not listed among the fields an audit event says were disclosed.
 */
const NOT_PERSONAL: ReadonlySet<string> = new Set(['dataAsOf']);

/** Errors that mean "refused", audited as refused attempts. */
const REFUSALS = new Set([
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'PURPOSE_NOT_ALLOWED',
  'AGREEMENT_EXPIRED',
  'BATCH_TOO_LARGE',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
]);

/**
 * Field middleware for the record types: while their fields resolve, notes every record field
 * given (for the audit) and every masked or withheld one (for `extensions.disclosure`, with its
 * response path and rule). A middleware on these two types rather than an Apollo
 * `willResolveField` hook, which would instrument every field of every response (10,000
 * eligibility decisions included).
 */
export function disclosureNotes(): IMiddleware<unknown, RequestContext, unknown> {
  const note: IMiddlewareFunction<unknown, RequestContext, unknown> = (
    resolve,
    parent,
    args,
    context,
    info,
  ) => {
    const type = info.parentType.name;
    const governed = GOVERNED[type]!;
    const d = context.disclosure;
    if (NOT_PERSONAL.has(info.fieldName)) {
      // nothing to note
    } else if (!governed.has(info.fieldName)) {
      d.fields.add(`${type}.${info.fieldName}`);
    } else {
      const r = context.registry.fieldRule(type as 'Household' | 'Person', info.fieldName);
      if (r.rule === 'withhold') {
        d.notes.push({ path: responsePathAsArray(info.path).join('.'), rule: 'WITHHELD' });
      } else {
        d.fields.add(`${type}.${info.fieldName}`);
        if (r.rule === 'mask') {
          d.notes.push({
            path: responsePathAsArray(info.path).join('.'),
            rule: 'MASKED',
            mask: r.mask,
          });
        }
      }
    }
    return resolve(parent, args, context, info);
  };
  return Object.fromEntries(Object.keys(GOVERNED).map((type) => [type, note]));
}

/**
 * Audit, with the notes of `disclosureNotes`: before the response is sent, writes the audit event of any operation that touches personal
 *   data or was refused, and waits for its commit. If the write fails, the client gets
 *   SERVICE_UNAVAILABLE (HTTP 503) and no data.
 */
export function disclosureAuditPlugin(deps: {
  audit: AuditSink;
  /** The audit subject hash of a NIK (a {@link SubjectHasher}, cached per process). */
  subjectOf: (nik: string) => string;
  logger: Logger;
}): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const { response, contextValue } = requestContext;
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const d = contextValue.disclosure;
          if (d.notes.length > 0) result.extensions = { ...result.extensions, disclosure: d.notes };

          const fields = (contextValue as WithRootFields)[ROOT_FIELDS] ?? new Set<string>();
          const codes = (result.errors ?? []).map((e) =>
            String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
          );
          const refusal = codes.find((c) => REFUSALS.has(c)) ?? null;
          const personal = [...fields].some((f) => ROOT_FIELD_POLICY[f]?.personal === true);
          if (!personal && refusal === null) return;

          const outcome: AuditOutcome =
            // An aggregate answer (statistics) discloses data about no one in particular: it is
            // audited as DISCLOSED with no subjects and its query key among the decision ids.
            d.subjects.size > 0 || d.aggregates.length > 0
              ? 'DISCLOSED'
              : refusal !== null
                ? 'REFUSED'
                : codes.length > 0
                  ? 'FAILED'
                  : 'NOT_FOUND';
          const p = contextValue.principal;
          const event: AuditEventInput = {
            requestId: contextValue.requestId,
            clientId: p.clientId,
            agencyId: p.agencyId,
            officerId: p.officerId,
            purpose: p.purpose,
            operation: `${requestContext.operation?.operation ?? 'query'}:${[...fields].sort().join(',')}`,
            outcome,
            errorCode: refusal ?? codes[0] ?? null,
            fields: [...d.fields].sort(),
            subjects: [
              ...new Set(
                [...d.subjects].map((nik) => d.subjectHashes.get(nik) ?? deps.subjectOf(nik)),
              ),
            ],
            decisionIds: [...d.decisionIds, ...d.aggregates],
            // The published document run instead of query text (src/server/persisted-documents.ts).
            documentId: d.document?.id ?? null,
            app: d.document?.app ?? null,
          };
          try {
            await deps.audit.record(event);
          } catch (error) {
            deps.logger.error(
              { err: error, requestId: contextValue.requestId },
              'audit write failed: response withheld',
            );
            response.body.singleResult = {
              errors: [
                {
                  message: 'the service is temporarily unavailable; try again',
                  extensions: { code: 'SERVICE_UNAVAILABLE' },
                },
              ],
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}

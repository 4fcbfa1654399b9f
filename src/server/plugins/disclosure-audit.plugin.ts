import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditEventInput, AuditOutcome } from '../../audit/audit-event.js';
import { ROOT_FIELD_POLICY } from '../../auth/operation-policy.js';
import { REFUSAL_CODES } from '../../errors/gateway-errors.js';
import type { Logger } from '../../logger.js';
import type { RequestContext } from '../../resolvers/request-context.js';
import { ROOT_FIELDS, type WithRootFields } from './operation-policy.plugin.js';

/** Writes audit events; resolves once the event is committed. */
export interface AuditSink {
  record(event: AuditEventInput): Promise<void>;
}

/**
 * Audit, with the notes of `disclosureNotes` (./disclosure-notes.ts): before the response is
 * sent, writes the audit event of any operation that touches personal data or was refused, and
 * waits for its commit. If the write fails, the client gets SERVICE_UNAVAILABLE (HTTP 503) and no
 * data.
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
          const refusal = codes.find((c) => REFUSAL_CODES.has(c)) ?? null;
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

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { GatewayError, HTTP_STATUS, retryAfterOf } from '../errors/gateway-errors.js';
import { readBody, sendJson, type RouteHandler } from '../http/json-http.js';
import type { RequestContext } from '../resolvers/request-context.js';
import { renderSubjectReportPage, type SubjectReportData } from './subject-report-page.js';

const MAX_BODY_BYTES = 4096;
/** The accesses a download lists, newest first (the largest page of `accessHistory`). */
const ACCESS_HISTORY_PAGE = 1000;

/**
 * The whole report, as the download carries it (the same operation as GraphQL `myRecord`). The
 * page size is a variable, as a client's would be: the resolver caps it at 1,000 (armor's cost
 * limit multiplies literal `first` values only).
 */
export const SUBJECT_REPORT_DOCUMENT = `query SubjectReportDownload($nik: NIK!, $first: Int!) {
  myRecord(nik: $nik) {
    nik registered generatedAt
    person { nik name sex birthDate relationship status programs dataAsOf }
    household {
      id kkNumber regionCode address decile verificationStatus verifiedAt
      members { nik name sex birthDate relationship status }
    }
    decisions {
      program programName eligible reason decisionId dataAsOf ruleVersion ruleDescription
      explanation { id en }
    }
    accessHistory(first: $first) {
      edges { node { at agencyId agencyName officerId purpose operation outcome fields subjectRequest } }
      pageInfo { hasNextPage }
    }
  }
}`;

/** Refusals that are the caller's, by GraphQL error code (the rest keep HTTP_STATUS or 400). */
const STATUS: Record<string, number> = {
  FORBIDDEN: 403,
  PURPOSE_NOT_ALLOWED: 403,
  AGREEMENT_EXPIRED: 403,
};

/**
 * `POST /subject/report` (CONTRACT §13): a person's report as a file to keep, for a data
 * subjects' service to hand to the person. Body `{"nik": "…", "format": "json" | "html"}`
 * (default: HTML when the request accepts text/html, else JSON). The NIK travels in the body,
 * never in the URL (URLs end up in logs). Authenticated, authorized and audited exactly as the
 * GraphQL `myRecord` it runs; the answer is never cached.
 */
export function createSubjectReportRoute(deps: {
  apollo: ApolloServer<RequestContext>;
  createContext(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<RequestContext>;
  onRefused(req: IncomingMessage, requestId: string, error: GatewayError): Promise<void>;
}): RouteHandler {
  return async (req, res) => {
    const requestId = String(res.getHeader('x-request-id') ?? randomUUID());
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return refuse(res, 405, 'BAD_USER_INPUT', 'use POST with a JSON body {"nik": "…"}');
    }
    let context: RequestContext;
    try {
      context = await deps.createContext(req, res, requestId);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      // Refused by policy: audited. Unavailable (no database, or no turn for it): not a refusal.
      if (error.code !== 'SERVICE_UNAVAILABLE') await deps.onRefused(req, requestId, error);
      if (error.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
      return refuse(res, statusOf(error.code), error.code, error.message);
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return refuse(res, 413, 'BAD_USER_INPUT', 'the body is too large');
    let input: { nik?: unknown; format?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      return refuse(res, 400, 'BAD_USER_INPUT', 'the body is not JSON');
    }
    if (input === null || typeof input !== 'object' || typeof input.nik !== 'string') {
      return refuse(res, 400, 'BAD_USER_INPUT', 'the body needs "nik" (a string of 16 digits)');
    }
    const format =
      input.format === undefined
        ? /text\/html/.test(req.headers.accept ?? '')
          ? 'html'
          : 'json'
        : input.format;
    if (format !== 'json' && format !== 'html') {
      return refuse(res, 400, 'BAD_USER_INPUT', 'format is "json" or "html"');
    }
    const result = await deps.apollo.executeOperation(
      { query: SUBJECT_REPORT_DOCUMENT, variables: { nik: input.nik, first: ACCESS_HISTORY_PAGE } },
      { contextValue: context },
    );
    if (result.body.kind !== 'single') throw new Error('a subject report was answered in parts');
    const single = result.body.singleResult;
    const error = single.errors?.[0];
    if (error) {
      const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (code === 'INTERNAL_SERVER_ERROR') throw new Error('a subject report failed in GraphQL');
      return refuse(res, statusOf(code), code, error.message);
    }
    const report = (single.data as { myRecord: SubjectReportData }).myRecord;
    const day = report.generatedAt.slice(0, 10);
    if (format === 'json') {
      return sendJson(
        res,
        200,
        { report, disclosure: single.extensions?.disclosure ?? [] },
        { 'content-disposition': `attachment; filename="laporan-data-pribadi-${day}.json"` },
      );
    }
    const page = renderSubjectReportPage(report);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(page),
      'content-disposition': `inline; filename="laporan-data-pribadi-${day}.html"`,
      // Nothing runs on the page; it is read and printed.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(page);
  };
}

function statusOf(code: string): number {
  return STATUS[code] ?? HTTP_STATUS[code as keyof typeof HTTP_STATUS] ?? 400;
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

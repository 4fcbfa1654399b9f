import {
  errorCode,
  messageOf,
  RefusedError,
  type GatewayClient,
  type GraphQLAnswer,
} from './gateway-client.js';
import type { DecisionRow } from './result-files.js';

/**
 * Eligibility decisions for lists of NIKs, in input order. Agreements with the
 * `eligibility:batch` scope send `eligibilityBatch`; the others send one operation of aliased
 * `eligibility` fields, which the gateway also answers with one database query. An operation
 * refused as BATCH_TOO_LARGE (the agreement allows fewer NIKs per operation) is split in half
 * until it fits, and later operations keep the smaller size.
 */

/**
 * The gateway refuses operations with more than 15 aliases (its graphql-armor limit), so single
 * checks travel 15 to an operation; a stricter gateway's QUERY_TOO_COMPLEX halves this too.
 */
export const ALIASES_PER_OPERATION = 15;

const DECISION_FIELDS = 'eligible reason decisionId dataAsOf';
const BATCH_QUERY = `query BulkCheck($niks: [NIK!]!, $program: Program!) {
  eligibilityBatch(niks: $niks, program: $program) { ${DECISION_FIELDS} }
}`;

/** `query($program: Program!, $n0: NIK!, …) { n0: eligibility(nik: $n0, program: $program) { …D } … }` */
export function aliasedQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, i) => i);
  const variables = indexes.map((i) => `$n${i}: NIK!`).join(', ');
  const fields = indexes
    .map((i) => `n${i}: eligibility(nik: $n${i}, program: $program) { ...D }`)
    .join(' ');
  return `query BulkCheckSingles($program: Program!, ${variables}) { ${fields} } fragment D on EligibilityDecision { ${DECISION_FIELDS} }`;
}

export type CheckMode = 'batch' | 'aliased';

export class EligibilityClient {
  private mode: Promise<CheckMode> | null = null;
  private perOperation: number;
  private readonly onNote: ((note: string) => void) | undefined;

  constructor(
    private readonly gateway: GatewayClient,
    private readonly program: string,
    options: {
      /** NIKs per `eligibilityBatch` operation to start with. */
      perOperation: number;
      /** Hears of changes of mode or size (one line for the log). */
      onNote?: (note: string) => void;
    },
  ) {
    this.perOperation = options.perOperation;
    this.onNote = options.onNote;
  }

  /**
   * Which operation this agreement may use, asked once of `me { scopes }` (any client may call it;
   * with the purpose header it also refuses a wrong purpose before any NIK is sent).
   */
  checkMode(signal?: AbortSignal): Promise<CheckMode> {
    this.mode ??= (async () => {
      const answer = await this.gateway.graphql(
        'query BulkCheckScopes { me { scopes } }',
        {},
        signal,
      );
      const scopes = (answer.data?.me as { scopes?: unknown } | undefined)?.scopes;
      if (answer.errors.length > 0 || !Array.isArray(scopes)) throw refusal(answer);
      if (scopes.includes('eligibility:batch')) return 'batch';
      this.onNote?.(
        `this agreement may not use eligibilityBatch; sending ${ALIASES_PER_OPERATION} single checks per operation`,
      );
      return 'aliased';
    })();
    return this.mode;
  }

  /** One decision per NIK, in the order given (duplicates included). */
  async check(niks: readonly string[], signal?: AbortSignal): Promise<DecisionRow[]> {
    const mode = await this.checkMode(signal);
    const decisions: DecisionRow[] = [];
    let at = 0;
    while (at < niks.length) {
      const size =
        mode === 'batch' ? this.perOperation : Math.min(this.perOperation, ALIASES_PER_OPERATION);
      const part = niks.slice(at, at + size);
      const answer =
        mode === 'batch'
          ? await this.gateway.graphql(BATCH_QUERY, { niks: part, program: this.program }, signal)
          : await this.gateway.graphql(
              aliasedQuery(part.length),
              Object.fromEntries([['program', this.program], ...part.map((n, i) => [`n${i}`, n])]),
              signal,
            );
      const code = answer.errors.length > 0 ? errorCode(answer.errors[0]!) : null;
      const tooLarge =
        code === 'BATCH_TOO_LARGE' || (mode === 'aliased' && code === 'QUERY_TOO_COMPLEX');
      if (tooLarge && part.length > 1) {
        this.shrink(part.length, code);
        continue;
      }
      if (code !== null) throw refusal(answer);
      decisions.push(...decisionsOf(answer, mode, part.length));
      at += part.length;
    }
    return decisions;
  }

  private shrink(refusedSize: number, code: string): void {
    const smaller = Math.max(1, Math.floor(refusedSize / 2));
    // Parallel operations refused at the same size shrink once, not once each.
    if (smaller < this.perOperation) {
      this.perOperation = smaller;
      this.onNote?.(
        `the gateway refused ${refusedSize} NIKs in one operation (${code}); now sending ${smaller}`,
      );
    }
  }
}

function decisionsOf(answer: GraphQLAnswer, mode: CheckMode, count: number): DecisionRow[] {
  const raw =
    mode === 'batch'
      ? answer.data?.eligibilityBatch
      : Array.from({ length: count }, (_, i) => answer.data?.[`n${i}`]);
  if (!Array.isArray(raw) || raw.length !== count) throw unexpected(answer);
  return raw.map((d) => {
    const v = d as Partial<Record<keyof DecisionRow, unknown>> | null;
    if (
      typeof v?.eligible !== 'boolean' ||
      typeof v.reason !== 'string' ||
      typeof v.decisionId !== 'string' ||
      typeof v.dataAsOf !== 'string'
    ) {
      throw unexpected(answer);
    }
    return {
      eligible: v.eligible,
      reason: v.reason,
      decisionId: v.decisionId,
      dataAsOf: v.dataAsOf,
    };
  });
}

/** The gateway's refusal as one line: its code, its message and the request id. */
function refusal(answer: GraphQLAnswer): RefusedError {
  const first = answer.errors[0];
  if (!first) return unexpected(answer);
  const code = errorCode(first);
  const message = messageOf(answer.errors);
  return new RefusedError(
    code,
    `the gateway refused the check: ${code}${message ? ` (${message})` : ''}, request id ${answer.requestId}`,
  );
}

function unexpected(answer: GraphQLAnswer): RefusedError {
  return new RefusedError(
    'UNEXPECTED_ANSWER',
    `the gateway's answer is not the expected list of decisions (request id ${answer.requestId})`,
  );
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  endDciSubscriptions,
  findDciSubscriptions,
  findLiveDciSubscriptions,
  insertDciSubscriptions,
} from '../db/queries/dci-queries.js';
import { openSubject, sealSubject } from '../db/subject-seal.js';
import type { RequestContext } from '../resolvers/request-context.js';
import {
  badMessage,
  headerRejection,
  replyHeader,
  type DciAnswer,
  type DciOutcome,
  type HeaderReason,
} from './dci-answers.js';
import type { DciDeps, DciRequest } from './dci-request.js';

/**
 * `registry/subscribe` and `registry/unsubscribe` (docs/dci.md "Subscriptions"): a ministry
 * follows NIKs through the change feeds (CONTRACT §11), for every program of its agreement, by
 * running `subscribeSubjects` / `unsubscribeSubjects` in the request's context (so the batch
 * limit, quota and audit are GraphQL's). Each subscribed NIK gets a subscription code to
 * unsubscribe with; the code's row keeps only the agency's pseudonym and the sealed NIK. Local
 * governments follow their region by their agreement and have nothing to subscribe to here.
 */

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'a date-time');

const subscribeMessageSchema = z.object({
  transaction_id: z.string().min(1).max(99),
  subscribe_request: z
    .array(
      z.object({
        reference_id: z.string().min(1).max(99),
        timestamp: dateTime,
        subscribe_criteria: z.object({
          reg_event_type: z.string().min(1),
          filter: z.unknown(),
          notify_record_type: z.string().min(1),
        }),
      }),
    )
    .min(1),
});

const unsubscribeMessageSchema = z.object({
  transaction_id: z.string().min(1).max(99),
  timestamp: dateTime,
  subscription_codes: z.array(z.string().min(1).max(99)).min(1).max(10_000),
});

const NIK_RE = /^\d{16}$/;
const NIK_TYPES = new Set(['NIN', 'UIN', 'NIK']);

type ItemStatus = {
  reference_id: string;
  timestamp: string;
  status: 'succ' | 'rjct';
  status_reason_code?: string;
  status_reason_message?: string;
  subscriptions?: Array<Record<string, unknown>>;
};

/** Runs a change-feed mutation for every program of the agreement, as one GraphQL operation. */
async function followForPrograms(
  deps: DciDeps,
  context: RequestContext,
  field: 'subscribeSubjects' | 'unsubscribeSubjects',
  byProgram: ReadonlyMap<string, readonly string[]>,
): Promise<{ code: string; message: string } | null> {
  const entries = [...byProgram].filter(([, niks]) => niks.length > 0);
  if (entries.length === 0) return null;
  const params = entries.map((_, i) => `$n${i}: [NIK!]!`).join(', ');
  const fields = entries
    .map(([program], i) => `p${i}: ${field}(program: ${program}, niks: $n${i}) { __typename }`)
    .join(' ');
  const result = await deps.apollo.executeOperation(
    {
      query: `mutation DciFollow(${params}) { ${fields} }`,
      variables: Object.fromEntries(entries.map(([, niks], i) => [`n${i}`, niks])),
    },
    { contextValue: context },
  );
  if (result.body.kind !== 'single')
    throw new Error('a DCI subscription was answered incrementally');
  const refusal = result.body.singleResult.errors?.[0];
  if (!refusal) return null;
  const code = String(refusal.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (code === 'INTERNAL_SERVER_ERROR') throw new Error('a DCI subscription failed in GraphQL');
  return { code, message: refusal.message };
}

export async function subscribeOutcome(deps: DciDeps, read: DciRequest): Promise<DciOutcome> {
  const { context, envelope } = read;
  const parsed = subscribeMessageSchema.safeParse(envelope.message);
  if (!parsed.success) return badMessage(parsed.error);
  const { transaction_id: transactionId, subscribe_request: requests } = parsed.data;
  const answer = (items: ItemStatus[], reason?: HeaderReason | null) => ({
    answer: {
      header: replyHeader(deps, envelope, 'on-subscribe', items.length, reason),
      message: {
        transaction_id: transactionId,
        correlation_id: randomUUID(),
        subscribe_response: items,
      },
    } satisfies DciAnswer,
  });
  const rejection = headerRejection(read, 'subscribe', requests.length);
  if (rejection) return answer([], rejection);
  const { principal } = context;
  if (requests.length > principal.agreement.batchLimit) {
    return answer([], {
      code: 'rjct.total_count.limit_exceeded',
      message: `your agreement allows ${principal.agreement.batchLimit} subscriptions per request`,
    });
  }
  const now = () => new Date().toISOString();
  const rjct = (reference: string, code: string, message: string): ItemStatus => ({
    reference_id: reference,
    timestamp: now(),
    status: 'rjct',
    status_reason_code: code,
    status_reason_message: message,
  });

  if (principal.kind !== 'MINISTRY' || principal.agreement.programs.length === 0) {
    return answer(
      requests.map((r) =>
        rjct(
          r.reference_id,
          'rjct.notify_details.invalid',
          'subscriptions follow NIKs for the programs of a ministry; a local government follows ' +
            'the households of its region through its agreement',
        ),
      ),
    );
  }

  const clientId = principal.clientId!;
  const seen = new Set<string>();
  type Request = (typeof requests)[number];
  type Checked = { item: ItemStatus } | { request: Request; nik: string; subjectRef: string };
  const checked = requests.map((r): Checked => {
    const filter = r.subscribe_criteria.filter as { type?: unknown; value?: unknown } | null;
    if (seen.has(r.reference_id)) {
      return { item: rjct(r.reference_id, 'rjct.reference_id.duplicate', 'repeated reference_id') };
    }
    seen.add(r.reference_id);
    if (
      !filter ||
      typeof filter.type !== 'string' ||
      !NIK_TYPES.has(filter.type.toUpperCase()) ||
      typeof filter.value !== 'string' ||
      !NIK_RE.test(filter.value)
    ) {
      return {
        item: rjct(
          r.reference_id,
          'rjct.person_id.invalid',
          'a subscription filter is {"type": "NIN" | "UIN", "value": "<16-digit NIK>"}',
        ),
      };
    }
    return {
      request: r,
      nik: filter.value,
      subjectRef: context.eligibility.subjectRefOf(filter.value),
    };
  });
  // One statement for the subscriptions already live, whatever the number of NIKs.
  const live = await findLiveDciSubscriptions(
    deps.db,
    clientId,
    checked.flatMap((c) => ('subjectRef' in c ? [c.subjectRef] : [])),
  );
  const planned = checked.map((c): Checked => {
    if (!('subjectRef' in c)) return c;
    const code = live.get(c.subjectRef);
    if (code === undefined) return c;
    return {
      item: rjct(
        c.request.reference_id,
        'rjct.event.already_subscribed',
        `this person is followed already under subscription ${code}`,
      ),
    };
  });
  const toFollow = [...new Set(planned.flatMap((p) => ('nik' in p ? [p.nik] : [])))];
  const programs = principal.agreement.programs;
  const refusal = await followForPrograms(
    deps,
    context,
    'subscribeSubjects',
    new Map(programs.map((p) => [p, toFollow])),
  );
  if (refusal) return { refused: refusal };
  const codes = new Map<string, string>();
  const fresh: Array<Parameters<typeof insertDciSubscriptions>[1][number]> = [];
  const items: ItemStatus[] = [];
  for (const p of planned) {
    if ('item' in p) {
      items.push(p.item);
      continue;
    }
    let code = codes.get(p.subjectRef);
    if (!code) {
      code = `sub-${randomUUID()}`;
      codes.set(p.subjectRef, code);
      fresh.push({
        code,
        clientId,
        agreementId: principal.agreement.id,
        subjectRef: p.subjectRef,
        nikSealed: sealSubject(deps.sealKey, p.nik),
        programs,
      });
    }
    const timestamp = now();
    items.push({
      reference_id: p.request.reference_id,
      timestamp,
      status: 'succ',
      subscriptions: [
        {
          code,
          status: 'subscribe',
          timestamp,
          reg_event_type: p.request.subscribe_criteria.reg_event_type,
          notify_record_type: p.request.subscribe_criteria.notify_record_type,
        },
      ],
    });
  }
  await insertDciSubscriptions(deps.db, fresh);
  return answer(items);
}

export async function unsubscribeOutcome(deps: DciDeps, read: DciRequest): Promise<DciOutcome> {
  const { context, envelope } = read;
  const parsed = unsubscribeMessageSchema.safeParse(envelope.message);
  if (!parsed.success) return badMessage(parsed.error);
  const { transaction_id: transactionId, subscription_codes: codes } = parsed.data;
  const answer = (
    statuses: Array<{ code: string; status: 'subscribe' | 'unsubscribe' }>,
    reason: { code: string; message: string } | null,
    headerReason: HeaderReason | null = null,
  ): DciOutcome => ({
    answer: {
      header: replyHeader(deps, envelope, 'on-unsubscribe', reason ? 0 : 1, headerReason),
      message: {
        transaction_id: transactionId,
        correlation_id: randomUUID(),
        timestamp: new Date().toISOString(),
        status: reason ? 'rjct' : 'succ',
        ...(reason
          ? { status_reason_code: reason.code, status_reason_message: reason.message }
          : {}),
        subscription_status: statuses,
      },
    },
  });
  const rejection = headerRejection(read, 'unsubscribe', null);
  if (rejection) {
    return answer([], { code: 'rjct.requester.invalid', message: rejection.message }, rejection);
  }
  const clientId = context.principal.clientId;
  const found = clientId === null ? [] : await findDciSubscriptions(deps.db, clientId, codes);
  const live = found.filter((s) => s.status === 'subscribe');
  const byProgram = new Map<string, string[]>();
  for (const s of live) {
    const nik = openSubject(deps.sealKey, s.nikSealed);
    for (const program of s.programs) {
      if (!context.principal.agreement.programs.includes(program)) continue;
      byProgram.set(program, [...(byProgram.get(program) ?? []), nik]);
    }
  }
  const refusal = await followForPrograms(deps, context, 'unsubscribeSubjects', byProgram);
  if (refusal) return { refused: refusal };
  if (live.length > 0)
    await endDciSubscriptions(
      deps.db,
      clientId!,
      live.map((s) => s.code),
    );
  const known = new Set(found.map((s) => s.code));
  const unknown = codes.filter((c) => !known.has(c));
  const ended = found.filter((s) => s.status === 'unsubscribe');
  const reason =
    unknown.length > 0
      ? {
          code: 'rjct.subscription_code.invalid',
          message: `${unknown.length} of the codes are not subscriptions of yours`,
        }
      : ended.length > 0
        ? {
            code: 'rjct.event.already_unsubscribed',
            message: `${ended.length} of the subscriptions had ended already`,
          }
        : null;
  return answer(
    found.map((s) => ({ code: s.code, status: 'unsubscribe' as const })),
    reason,
  );
}

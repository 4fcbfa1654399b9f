import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database-types.js';
import { VerificationReads, type HouseholdFacts } from '../db/scoped/verification-reads.js';
import {
  VerificationStore,
  type SubmissionFilter,
  type SubmissionRecord,
  type VerificationEventRecord,
} from '../db/scoped/verification-store.js';
import { todayInJakarta } from '../domain/dates.js';
import { badUserInput, forbidden, GatewayError } from '../errors/gateway-errors.js';
import { inputFingerprint } from './fingerprint.js';
import {
  checkProposalFields,
  checkReviewNote,
  checkSubmissionFields,
  daysBetween,
  isValidNik,
  type Problem,
} from './input-checks.js';
import type {
  HouseholdProposalInput,
  ReviewDecision,
  VerificationInput,
  VerificationPayload,
} from '../domain/verification-input.js';

/** The one answer for a household that does not exist and for one outside the region scope. */
export const HOUSEHOLD_NOT_FOUND = 'no household with this id in your region';
/** The one answer for a submission that does not exist and for one outside the region scope. */
export const SUBMISSION_NOT_FOUND = 'no submission with this id in your region';

export interface VerificationServiceDeps {
  principal: Principal;
  /** The primary: submissions are written and read back here. */
  db: Kysely<Database>;
  /** Registry reads (the replica when there is one). */
  readDb: Kysely<Database>;
  /** Receives the clear NIKs each operation concerns, for the audit event's subjects. */
  onSubjects: (niks: readonly string[]) => void;
  today?: () => string;
}

/**
 * Verification and validation for one request (CONTRACT §9): submissions, proposals, reviews,
 * the list and household histories. Validates field by field (all problems at once), reads the
 * registry only through the scoped layer, and makes retries idempotent. Nothing here touches the
 * served snapshot.
 */
export class VerificationService {
  private readonly store: VerificationStore;
  private readonly reads: VerificationReads;
  private readonly historyLoader: DataLoader<string, VerificationEventRecord[]>;
  private readonly today: () => string;

  constructor(private readonly deps: VerificationServiceDeps) {
    this.store = new VerificationStore(deps.principal, deps.db);
    this.reads = new VerificationReads(deps.principal, deps.readDb);
    this.today = deps.today ?? (() => todayInJakarta());
    this.historyLoader = new DataLoader(async (ids) => {
      const events = await this.store.events(ids);
      const byHousehold = new Map<string, VerificationEventRecord[]>(ids.map((id) => [id, []]));
      for (const e of events) byHousehold.get(e.householdId)?.push(e);
      return ids.map((id) => byHousehold.get(id)!);
    });
  }

  /** Stores a submission about a registered household (or answers the first one of a retry). */
  async submit(input: VerificationInput): Promise<SubmissionRecord> {
    this.requireOfficer();
    const fingerprint = inputFingerprint('SUBMISSION', input);
    const earlier = await this.earlier(input.idempotencyKey);
    if (earlier) return this.replay(earlier, fingerprint);

    const { problems, payload } = checkSubmissionFields(input, this.today());
    const hasId = typeof input.householdId === 'string' && input.householdId.trim() !== '';
    const household = hasId ? await this.reads.household(input.householdId) : null;
    if (hasId && household === null)
      problems.push({ field: 'householdId', message: HOUSEHOLD_NOT_FOUND });
    if (household) this.checkAgainstHousehold(input, household, problems);
    await this.checkNewPersons(
      (input.memberChanges ?? []).map((c, i) => ({ change: c, field: `memberChanges[${i}]` })),
      household,
      problems,
    );
    if (problems.length > 0)
      return this.refuse('submission', problems, input.idempotencyKey, fingerprint);

    return this.persist(
      {
        kind: 'SUBMISSION',
        regionCode: household!.regionCode,
        householdId: household!.id,
        kkNumber: null,
        outcome: input.outcome,
        visitedAt: input.visitedAt,
        payload,
        addedNiks: addedNiks(payload),
        note: input.note?.trim() || null,
        idempotencyKey: input.idempotencyKey,
        fingerprint,
      },
      household!.members.map((m) => m.nik),
    );
  }

  /** Stores a proposal of a household not yet registered (usulan baru). */
  async propose(input: HouseholdProposalInput): Promise<SubmissionRecord> {
    this.requireOfficer();
    const fingerprint = inputFingerprint('PROPOSAL', input);
    const earlier = await this.earlier(input.idempotencyKey);
    if (earlier) return this.replay(earlier, fingerprint);

    const { problems, payload } = checkProposalFields(input, this.today());
    if (/^\d{10}$/.test(input.regionCode) && !(await this.reads.isVillageInScope(input.regionCode)))
      problems.push({ field: 'regionCode', message: 'not a village of your region scope' });
    if (isValidNik(input.kkNumber)) {
      if (await this.reads.kkRegistered(input.kkNumber))
        problems.push({ field: 'kkNumber', message: 'already registered in your region' });
      else if (await this.store.openProposalFor(input.kkNumber))
        problems.push({
          field: 'kkNumber',
          message: 'already proposed by an open proposal in your region',
        });
    }
    await this.checkNewPersons(
      (input.members ?? []).map((m, i) => ({
        change: { action: 'ADD' as const, ...m },
        field: `members[${i}]`,
      })),
      null,
      problems,
    );
    if (problems.length > 0)
      return this.refuse('proposal', problems, input.idempotencyKey, fingerprint);

    return this.persist(
      {
        kind: 'PROPOSAL',
        regionCode: input.regionCode,
        householdId: null,
        kkNumber: input.kkNumber,
        outcome: null,
        visitedAt: input.visitedAt,
        payload,
        addedNiks: addedNiks(payload),
        note: input.note?.trim() || null,
        idempotencyKey: input.idempotencyKey,
        fingerprint,
      },
      [],
    );
  }

  /**
   * Approves or rejects a SUBMITTED submission of the reviewer's region. Two-person rule: never
   * one sent by the reviewer's own client or agency.
   */
  async review(
    publicId: string,
    decision: ReviewDecision,
    note: string | null | undefined,
  ): Promise<SubmissionRecord> {
    this.requireOfficer();
    const problems = checkReviewNote(decision, note);
    if (problems.length > 0) throw invalid('review', problems);
    const reviewed = await this.store.review(publicId, decision, note?.trim() || null);
    if (reviewed) {
      await this.noteSubjects(reviewed);
      return reviewed;
    }
    const found = await this.store.byPublicId(publicId);
    if (!found) throw badUserInput(`id: ${SUBMISSION_NOT_FOUND}`);
    const p = this.deps.principal;
    if (found.clientId === p.clientId || found.agencyId === p.agencyId) {
      throw forbidden(
        'two-person rule: a submission is reviewed by another agency than the one that sent it',
      );
    }
    throw badUserInput(
      `id: this submission is ${found.status}; only SUBMITTED submissions can be reviewed`,
    );
  }

  /** A page of submissions inside the region scope, in submission order. */
  list(filter: SubmissionFilter, first: number, afterId: number | null) {
    return this.store.page(filter, first, afterId);
  }

  /** The verification events of a household the client was given (batched per request). */
  history(householdId: string): Promise<VerificationEventRecord[]> {
    return this.historyLoader.load(householdId);
  }

  /** Notes the NIKs a disclosed submission's changes name (for the audit). */
  noteChangeSubjects(record: SubmissionRecord): void {
    this.deps.onSubjects(record.payload.members.map((m) => m.nik));
  }

  private requireOfficer(): void {
    if (this.deps.principal.officerId === null) {
      throw badUserInput(
        'X-Officer-Id: required for verification; the officer who visited or reviewed is recorded',
      );
    }
  }

  private async earlier(key: unknown): Promise<SubmissionRecord | null> {
    // A malformed key cannot have been stored; the field checks report it.
    if (typeof key !== 'string' || key.length === 0 || key.length > 128) return null;
    return this.store.byKey(key);
  }

  /**
   * Refuses an invalid input, unless a concurrent request with the same key was stored while this
   * one was being checked: its own additions then look like another open submission's, and the
   * right answer is the retry's (the stored submission, or a conflict).
   */
  private async refuse(
    what: string,
    problems: Problem[],
    idempotencyKey: string,
    fingerprint: string,
  ): Promise<SubmissionRecord> {
    const stored = await this.earlier(idempotencyKey);
    if (stored) return this.replay(stored, fingerprint);
    throw invalid(what, problems);
  }

  /** Same key: the same input answers the first submission; different input is a conflict. */
  private async replay(earlier: SubmissionRecord, fingerprint: string): Promise<SubmissionRecord> {
    if (earlier.fingerprint !== fingerprint) {
      throw new GatewayError(
        'IDEMPOTENCY_CONFLICT',
        'idempotencyKey: already used for a different submission or proposal; use a new key for new content',
      );
    }
    await this.noteSubjects(earlier);
    return earlier;
  }

  private async persist(
    submission: Parameters<VerificationStore['insert']>[0],
    householdNiks: string[],
  ): Promise<SubmissionRecord> {
    const stored = await this.store.insert(submission);
    if (stored) {
      this.deps.onSubjects([...householdNiks, ...submission.addedNiks]);
      this.noteChangeSubjects(stored);
      return stored;
    }
    // A concurrent request with the same key stored first: answer like any retry.
    const winner = await this.store.byKey(submission.idempotencyKey);
    if (!winner) throw new Error('idempotent insert found neither its row nor a winner');
    return this.replay(winner, submission.fingerprint);
  }

  /** The subjects of a submission: the household's members (when in scope) and changed persons. */
  private async noteSubjects(record: SubmissionRecord): Promise<void> {
    const household = record.householdId ? await this.reads.household(record.householdId) : null;
    this.deps.onSubjects(household?.members.map((m) => m.nik) ?? []);
    this.noteChangeSubjects(record);
  }

  /** Rules that compare the submission with the household as served. */
  private checkAgainstHousehold(
    input: VerificationInput,
    household: HouseholdFacts,
    problems: Problem[],
  ): void {
    // The APPLIED rule reads verified_at ≥ visitedAt: a visit on or before the last verification
    // would count as applied by the very next import.
    if (
      household.verifiedAt !== null &&
      typeof input.visitedAt === 'string' &&
      daysBetween(household.verifiedAt, input.visitedAt) <= 0
    ) {
      problems.push({
        field: 'visitedAt',
        message:
          'not after the household’s last verification (verifiedAt); that visit is already in the registry',
      });
    }
    const status = new Map(household.members.map((m) => [m.nik, m.status]));
    (input.memberChanges ?? []).forEach((change, i) => {
      if (change.action === 'ADD' || typeof change.nik !== 'string' || !isValidNik(change.nik))
        return;
      const current = status.get(change.nik);
      if (current === undefined)
        problems.push({
          field: `memberChanges[${i}].nik`,
          message: 'not a member of this household',
        });
      else if (change.action !== 'CORRECT' && current !== 'ACTIVE')
        problems.push({
          field: `memberChanges[${i}].nik`,
          message: `this member is already ${current}`,
        });
    });
  }

  /**
   * New persons (added members, a proposal's members) must not be registered yet. Only the
   * region scope is searched: refusing a NIK registered elsewhere would tell the submitter that
   * it exists outside their region, which `person(nik)` never does. The central cycle, which sees
   * the whole registry, deduplicates those (docs/security.md).
   */
  private async checkNewPersons(
    entries: Array<{ change: { action: string; nik: string }; field: string }>,
    household: HouseholdFacts | null,
    problems: Problem[],
  ): Promise<void> {
    const added = entries.filter(
      (e) =>
        e.change.action === 'ADD' && typeof e.change.nik === 'string' && isValidNik(e.change.nik),
    );
    if (added.length === 0) return;
    const niks = [...new Set(added.map((e) => e.change.nik))];
    const members = new Set(household?.members.map((m) => m.nik) ?? []);
    const [registered, open] = await Promise.all([
      this.reads.registeredNiks(niks),
      this.store.openAdditions(niks),
    ]);
    for (const { change, field } of added) {
      if (members.has(change.nik))
        problems.push({ field: `${field}.nik`, message: 'already a member of this household' });
      else if (registered.has(change.nik))
        problems.push({
          field: `${field}.nik`,
          message: 'already registered in your region; ADD is for persons not yet in the registry',
        });
      else if (open.has(change.nik))
        problems.push({
          field: `${field}.nik`,
          message: 'already added by another open submission or proposal in your region',
        });
    }
  }
}

function addedNiks(payload: VerificationPayload): string[] {
  return payload.members.filter((m) => m.action === 'ADD').map((m) => m.nik);
}

function invalid(what: string, problems: Problem[]): GatewayError {
  return badUserInput(
    `invalid ${what}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
  );
}

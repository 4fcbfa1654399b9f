import { randomBytes } from 'node:crypto';
import { GRIEVANCE_DUE_DAYS } from '../auth/grievance-routing.js';
import type { Principal } from '../auth/principal.js';
import type {
  GrievanceFilter,
  GrievanceRecord,
  GrievanceStore,
} from '../db/scoped/grievance-store.js';
import { isProgramCode } from '../domain/programs.js';
import { badUserInput, forbidden } from '../errors/gateway-errors.js';

/** The longest grievance text kept (characters). */
const MAX_TEXT = 2000;
/** The longest dismissal reason kept (characters). */
const MAX_REASON = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** One message for every grievance a principal cannot see: missing and elsewhere look the same. */
const NO_SUCH_GRIEVANCE = 'no grievance with this id';

/** What an opener sends: whose decision, which one, where the person lives, and the complaint. */
export interface GrievanceRequest {
  nik: string;
  decisionId: string;
  program: string;
  /** The region of residence the person states (used when the NIK is not in the registry). */
  regionCode: string;
  text: string;
}

export interface GrievanceServiceDeps {
  principal: Principal;
  store: GrievanceStore;
  /** The audit log's keyed hash of a NIK (decisions are found by it). */
  subjectOf(nik: string): string;
  /** The NIK a call is about: audited as its subject. */
  onSubject(nik: string): void;
}

/**
 * Grievances (sanggah, CONTRACT §13): a data subjects' service that verified the person, or a
 * ministry, contests a decision by its `decisionId` (found in the audit log as given about that
 * person — by the ministry itself, for a ministry); the grievance goes to the local government of
 * the person's household's region, or of the region the person states when they are not in the
 * registry, and is due in GRIEVANCE_DUE_DAYS days, after which the province sees it too. The
 * region takes it into review, resolves it with a verification submission of the household (a
 * proposal of a new household for a person not registered) or dismisses it with a reason. The
 * opener follows it with `grievances`/`grievance` and, for a ministry, GRIEVANCE_STATUS_CHANGED
 * events. Texts are never echoed in errors or logs; who may see what is in the store's SQL.
 */
export class GrievanceService {
  constructor(private readonly deps: GrievanceServiceDeps) {}

  async open(request: GrievanceRequest): Promise<GrievanceRecord> {
    const { principal, store } = this.deps;
    if (principal.kind === 'SUBJECT_SERVICE' && !principal.agreement.verifiesSubjectIdentity) {
      throw forbidden('only a data subjects’ service that verifies identity opens grievances');
    }
    if (!isProgramCode(request.program)) throw badUserInput('program: not a program');
    const text = checkedText(request.text, 'text', MAX_TEXT);
    if (!/^\d{4}(\d{2}(\d{4})?)?$/.test(request.regionCode)) {
      throw badUserInput('regionCode: a regency (4 digits), district (6) or village (10) code');
    }
    this.deps.onSubject(request.nik);
    // A ministry cites the decisions it was given; a person's service, any decision about them.
    const decided =
      UUID.test(request.decisionId) &&
      (await store.decisionAbout(
        this.deps.subjectOf(request.nik),
        request.decisionId,
        principal.kind === 'MINISTRY' ? principal.agencyId : null,
      ));
    if (!decided) throw badUserInput('decisionId: no such decision about this NIK');
    if (!(await store.regionExists(request.regionCode))) {
      throw badUserInput('regionCode: not a region of the reference');
    }
    // The household's region routes it when the person is registered (the stated one is then
    // unused; the answer does not tell which, so it does not tell whether the NIK is registered).
    const home = await store.householdOf(request.nik);
    const dueAt = new Date(Date.now() + GRIEVANCE_DUE_DAYS * 86_400_000);
    return store.insert({
      publicId: `gr_${randomBytes(12).toString('base64url')}`,
      nik: request.nik,
      decisionId: request.decisionId,
      program: request.program,
      householdId: home?.householdId ?? null,
      regionCode: home?.regionCode ?? request.regionCode,
      text,
      dueAt,
    });
  }

  async byId(id: string): Promise<GrievanceRecord | null> {
    const found = await this.deps.store.byId(id);
    if (found) this.deps.onSubject(found._nik);
    return found;
  }

  async page(
    filter: GrievanceFilter,
    first: number,
    afterKey: string | null,
  ): Promise<{ rows: GrievanceRecord[]; hasNextPage: boolean }> {
    if (filter.program && !isProgramCode(filter.program))
      throw badUserInput('program: not a program');
    if (filter.regionCode && !/^\d{2,10}$/.test(filter.regionCode)) {
      throw badUserInput('regionCode: digits of a region code');
    }
    const page = await this.deps.store.page(filter, first, afterKey);
    for (const g of page.rows) this.deps.onSubject(g._nik);
    return page;
  }

  review(id: string): Promise<GrievanceRecord> {
    return this.step(id, ['OPEN'], 'IN_REVIEW', {});
  }

  async resolve(id: string, submissionId: string): Promise<GrievanceRecord> {
    const grievance = await this.handled(id);
    if (!(await this.deps.store.submissionAnswers(submissionId, grievance))) {
      throw badUserInput(
        'submissionId: no verification of this household in your region (for a person not in the registry: a proposal in the regency)',
      );
    }
    return this.step(id, ['OPEN', 'IN_REVIEW'], 'RESOLVED', { submissionId });
  }

  dismiss(id: string, reason: string): Promise<GrievanceRecord> {
    const dismissalReason = checkedText(reason, 'reason', MAX_REASON);
    return this.step(id, ['OPEN', 'IN_REVIEW'], 'DISMISSED', { dismissalReason });
  }

  /** A grievance this local government handles; BAD_USER_INPUT as for a missing one otherwise. */
  private async handled(id: string): Promise<GrievanceRecord> {
    if (this.deps.principal.kind !== 'LOCAL_GOV') {
      throw forbidden('grievances are handled by the local government of the region');
    }
    const found = await this.deps.store.byId(id);
    if (!found) throw badUserInput(NO_SUCH_GRIEVANCE);
    this.deps.onSubject(found._nik);
    return found;
  }

  private async step(
    id: string,
    from: readonly string[],
    to: 'IN_REVIEW' | 'RESOLVED' | 'DISMISSED',
    details: { submissionId?: string; dismissalReason?: string },
  ): Promise<GrievanceRecord> {
    const current = await this.handled(id);
    const moved = await this.deps.store.transition(id, from, to, details);
    if (moved) return moved;
    // Nothing moved: it was not in a state this step leaves (perhaps changed meanwhile).
    const now = (await this.deps.store.byId(id)) ?? current;
    throw badUserInput(`this grievance is ${now.status}: it cannot become ${to}`);
  }
}

/** A text as kept: trimmed, 1–max characters. Never echoed. */
function checkedText(value: string, name: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw badUserInput(`${name}: 1 to ${max} characters`);
  }
  return trimmed;
}

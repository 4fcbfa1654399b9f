import { CODE_LISTS, type CodeListName } from '../domain/code-lists.js';
import { isIsoDate } from '../domain/dates.js';
import { isNikFormat } from '../domain/nik.js';
import { PROVINCE_CODES } from '../domain/provinces.js';
import {
  HOUSEHOLD_CODE_FIELDS,
  type HouseholdDetails,
  type HouseholdProposalInput,
  type MemberChange,
  type MemberFields,
  type VerificationInput,
  type VerificationPayload,
} from '../domain/verification-input.js';

/**
 * Field-by-field checks of a submission or proposal that need no database: formats, code lists,
 * dates, and the rules that tie fields together. Every problem is collected (the officer fixes
 * them all at once) and named by its field path. Messages never repeat a value: it may be a NIK,
 * a name or an address.
 */
export interface Problem {
  field: string;
  message: string;
}

export const LIMITS = Object.freeze({
  idempotencyKey: 128,
  note: 2000,
  address: 500,
  name: 100,
  /** numeric(8, 2) in the registry. */
  floorAreaM2: 999_999.99,
  memberChanges: 50,
  members: 50,
  /** A visit older than this is stale for the next ranking cycle. */
  visitAgeDays: 366,
});

const KEY_RE = /^[A-Za-z0-9._:-]+$/;
// Control characters other than tab and line breaks (notes may have several lines).
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAK_RE = /[\r\n\t]/;

export const NIK_PROBLEM = 'not 16 digits with a known province code';

/** Checks what a submission says by itself; the payload holds the validated, trimmed values. */
export function checkSubmissionFields(
  input: VerificationInput,
  today: string,
): { problems: Problem[]; payload: VerificationPayload } {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  checkKey(input.idempotencyKey, add);
  if (typeof input.householdId !== 'string' || input.householdId.trim() === '')
    add('householdId', 'required');
  const visitOk = checkVisit(input.visitedAt, today, add);
  const note = checkNote(input.note, add);

  const household = checkDetails('changes', input.changes ?? {}, add);
  const changes = input.memberChanges ?? [];
  const members: MemberChange[] = [];
  if (changes.length > LIMITS.memberChanges) {
    add('memberChanges', `at most ${LIMITS.memberChanges} member changes per submission`);
  } else {
    const firstAt = new Map<string, number>();
    changes.forEach((change, i) => {
      const field = `memberChanges[${i}]`;
      const member = checkMemberChange(field, change, visitOk ? input.visitedAt : today, add);
      if (member) members.push(member);
      if (typeof change.nik === 'string' && isValidNik(change.nik)) {
        const first = firstAt.get(change.nik);
        if (first === undefined) firstAt.set(change.nik, i);
        else
          add(
            `${field}.nik`,
            `appears more than once in this submission (first at memberChanges[${first}])`,
          );
      }
    });
  }

  const changed = Object.keys(household).length > 0 || changes.length > 0;
  switch (input.outcome) {
    case 'CONFIRMED':
      if (changed)
        add(
          'outcome',
          'CONFIRMED means nothing changed; send UPDATED with changes or memberChanges',
        );
      break;
    case 'UPDATED':
      if (!changed) add('outcome', 'UPDATED needs at least one of changes or memberChanges');
      break;
    case 'MOVED':
    case 'DECEASED':
    case 'NOT_FOUND':
    case 'DUPLICATE':
      if (changed)
        add(
          'outcome',
          `${input.outcome} takes no changes or memberChanges (the outcome is the change)`,
        );
      if (input.outcome === 'DUPLICATE' && note === null)
        add('note', 'required with outcome DUPLICATE: name the household this one duplicates');
      break;
    default:
      add('outcome', 'not a verification outcome');
  }
  return { problems, payload: { v: 1, household, members } };
}

/** Checks what a proposal (usulan baru) says by itself. */
export function checkProposalFields(
  input: HouseholdProposalInput,
  today: string,
): { problems: Problem[]; payload: VerificationPayload } {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  checkKey(input.idempotencyKey, add);
  if (typeof input.regionCode !== 'string' || !/^\d{10}$/.test(input.regionCode))
    add('regionCode', 'a village code of 10 digits');
  if (typeof input.kkNumber !== 'string' || !isValidNik(input.kkNumber))
    add('kkNumber', NIK_PROBLEM);
  const visitOk = checkVisit(input.visitedAt, today, add);
  checkNote(input.note, add);
  const household = checkDetails('details', input.details ?? {}, add);
  if (household.address === undefined && !problems.some((p) => p.field === 'details.address'))
    add('details.address', 'required for a proposal');

  const given = input.members ?? [];
  const members: MemberChange[] = [];
  if (given.length === 0) add('members', 'a proposed household needs at least one member');
  else if (given.length > LIMITS.members)
    add('members', `at most ${LIMITS.members} members per proposal`);
  else {
    const firstAt = new Map<string, number>();
    given.forEach((m, i) => {
      const member = checkNewMember(`members[${i}]`, m, visitOk ? input.visitedAt : today, add);
      if (member) members.push({ action: 'ADD', ...member });
      if (typeof m.nik === 'string' && isValidNik(m.nik)) {
        const first = firstAt.get(m.nik);
        if (first === undefined) firstAt.set(m.nik, i);
        else
          add(
            `members[${i}].nik`,
            `appears more than once in this proposal (first at members[${first}])`,
          );
      }
    });
    if (given.filter((m) => m.relationship === 'HEAD').length !== 1)
      add('members', 'exactly one member must have relationship HEAD');
  }
  return { problems, payload: { v: 1, household, members } };
}

/** The review note: optional when approving, required when rejecting (the submitter must learn why). */
export function checkReviewNote(decision: string, note: string | null | undefined): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const clean = checkNote(note, add);
  if (decision === 'REJECTED' && clean === null && problems.length === 0)
    add('note', 'required when rejecting: say what the officer should correct');
  return problems;
}

export function isValidNik(value: string): boolean {
  return isNikFormat(value) && PROVINCE_CODES.has(value.slice(0, 2));
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

type Add = (field: string, message: string) => void;

function checkKey(key: unknown, add: Add): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > LIMITS.idempotencyKey ||
    !KEY_RE.test(key)
  )
    add(
      'idempotencyKey',
      `1–${LIMITS.idempotencyKey} letters, digits and . _ : - (a UUID is a good key)`,
    );
}

/** visitedAt: a real date, not in the future (Jakarta), not older than a year. */
function checkVisit(value: unknown, today: string, add: Add): boolean {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    add('visitedAt', 'a date written YYYY-MM-DD');
    return false;
  }
  if (value > today) {
    add('visitedAt', 'in the future (dates are in Jakarta time, WIB)');
    return false;
  }
  if (daysBetween(value, today) > LIMITS.visitAgeDays) {
    add('visitedAt', `more than ${LIMITS.visitAgeDays} days ago; send visits of the last year`);
    return false;
  }
  return true;
}

function checkNote(note: string | null | undefined, add: Add): string | null {
  if (note === null || note === undefined) return null;
  const clean = note.trim();
  if (clean === '') return null;
  if (clean.length > LIMITS.note) add('note', `at most ${LIMITS.note} characters`);
  else if (CONTROL_RE.test(clean)) add('note', 'contains control characters');
  return clean;
}

/** A required-when-given single-line text: trimmed, not empty, bounded, no control characters. */
function checkText(field: string, value: unknown, max: number, add: Add): string | undefined {
  if (typeof value !== 'string') {
    add(field, 'must be text');
    return undefined;
  }
  const clean = value.trim();
  if (clean === '') add(field, 'empty');
  else if (clean.length > max) add(field, `at most ${max} characters`);
  else if (CONTROL_RE.test(clean) || LINE_BREAK_RE.test(clean))
    add(field, 'one line without control characters');
  else return clean;
  return undefined;
}

function checkCode(
  field: string,
  value: unknown,
  list: CodeListName,
  add: Add,
): string | undefined {
  if (typeof value === 'string' && (CODE_LISTS[list] as readonly string[]).includes(value))
    return value;
  add(field, `not a ${list} code (docs/code-lists.md)`);
  return undefined;
}

function checkDetails(prefix: string, details: HouseholdDetails, add: Add): HouseholdDetails {
  const out: HouseholdDetails = {};
  if (details.address !== null && details.address !== undefined) {
    const address = checkText(`${prefix}.address`, details.address, LIMITS.address, add);
    if (address !== undefined) out.address = address;
  }
  const area = details.floorAreaM2;
  if (area !== null && area !== undefined) {
    if (
      typeof area !== 'number' ||
      !Number.isFinite(area) ||
      area < 0 ||
      area > LIMITS.floorAreaM2 ||
      Number(area.toFixed(2)) !== area
    ) {
      add(
        `${prefix}.floorAreaM2`,
        `a number of square metres from 0 to ${LIMITS.floorAreaM2}, at most 2 decimals`,
      );
    } else out.floorAreaM2 = area;
  }
  for (const [field, list] of Object.entries(HOUSEHOLD_CODE_FIELDS) as Array<
    [keyof typeof HOUSEHOLD_CODE_FIELDS, CodeListName]
  >) {
    const value = details[field];
    if (value === null || value === undefined) continue;
    const code = checkCode(`${prefix}.${field}`, value, list, add);
    if (code !== undefined) out[field] = code;
  }
  return out;
}

const NEW_MEMBER_ONLY = ['sex', 'relationship', 'pregnant', 'disability', 'inSchool'] as const;

function checkMemberChange(
  field: string,
  change: MemberChange,
  visitedAt: string,
  add: Add,
): MemberChange | null {
  switch (change.action) {
    case 'ADD': {
      const member = checkNewMember(field, change, visitedAt, add);
      return member ? { action: 'ADD', ...member } : null;
    }
    case 'DECEASED':
    case 'MOVED': {
      const nikOk = checkNik(field, change.nik, add);
      for (const extra of ['name', 'birthDate', ...NEW_MEMBER_ONLY] as const) {
        if (change[extra] !== null && change[extra] !== undefined)
          add(`${field}.${extra}`, `not used with ${change.action}`);
      }
      return nikOk ? { action: change.action, nik: change.nik } : null;
    }
    case 'CORRECT': {
      const nikOk = checkNik(field, change.nik, add);
      for (const extra of NEW_MEMBER_ONLY) {
        if (change[extra] !== null && change[extra] !== undefined)
          add(`${field}.${extra}`, 'not used with CORRECT (it corrects name and birthDate)');
      }
      const out: MemberChange = { action: 'CORRECT', nik: change.nik };
      const hasName = change.name !== null && change.name !== undefined;
      const hasBirth = change.birthDate !== null && change.birthDate !== undefined;
      if (!hasName && !hasBirth) add(field, 'CORRECT needs a name or a birthDate');
      if (hasName) {
        const name = checkText(`${field}.name`, change.name, LIMITS.name, add);
        if (name !== undefined) out.name = name;
      }
      if (hasBirth) {
        const birth = checkBirthDate(`${field}.birthDate`, change.birthDate, visitedAt, add);
        if (birth !== undefined) out.birthDate = birth;
      }
      return nikOk ? out : null;
    }
    default:
      add(`${field}.action`, 'not a member action');
      return null;
  }
}

/** A person new to the household: NIK, name and birth date required; the rest optional codes. */
function checkNewMember(
  field: string,
  m: MemberFields,
  visitedAt: string,
  add: Add,
): MemberFields | null {
  const nikOk = checkNik(field, m.nik, add);
  const out: MemberFields = { nik: m.nik };
  if (m.name === null || m.name === undefined) add(`${field}.name`, 'required for a new member');
  else {
    const name = checkText(`${field}.name`, m.name, LIMITS.name, add);
    if (name !== undefined) out.name = name;
  }
  if (m.birthDate === null || m.birthDate === undefined)
    add(`${field}.birthDate`, 'required for a new member');
  else {
    const birth = checkBirthDate(`${field}.birthDate`, m.birthDate, visitedAt, add);
    if (birth !== undefined) out.birthDate = birth;
  }
  if (m.sex !== null && m.sex !== undefined) {
    const sex = checkCode(`${field}.sex`, m.sex, 'sex', add);
    if (sex !== undefined) out.sex = sex;
  }
  if (m.relationship !== null && m.relationship !== undefined) {
    const relationship = checkCode(`${field}.relationship`, m.relationship, 'relationship', add);
    if (relationship !== undefined) out.relationship = relationship;
  }
  if (m.disability !== null && m.disability !== undefined) {
    const disability = checkCode(`${field}.disability`, m.disability, 'disability', add);
    if (disability !== undefined) out.disability = disability;
  }
  if (m.pregnant !== null && m.pregnant !== undefined) {
    if (m.pregnant && m.sex !== 'F') add(`${field}.pregnant`, 'true only with sex F');
    else out.pregnant = m.pregnant;
  }
  if (m.inSchool !== null && m.inSchool !== undefined) out.inSchool = m.inSchool;
  return nikOk ? out : null;
}

function checkNik(field: string, nik: unknown, add: Add): boolean {
  if (typeof nik === 'string' && isValidNik(nik)) return true;
  add(`${field}.nik`, NIK_PROBLEM);
  return false;
}

/**
 * A real date, not after the visit (a person cannot be born after the officer saw them); `bound`
 * is today when the visit date itself is invalid.
 */
function checkBirthDate(
  field: string,
  value: unknown,
  visitedAt: string,
  add: Add,
): string | undefined {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    add(field, 'a date written YYYY-MM-DD');
    return undefined;
  }
  if (value > visitedAt) {
    add(field, 'after the visit date');
    return undefined;
  }
  return value;
}

/**
 * Which record fields each work-list filter and sort reads — this is the place. Which households
 * match a filter tells something about the field it reads, so a filter or sort on a field the
 * agreement withholds is refused (FORBIDDEN) rather than answered: fail closed, no side channel.
 * A new filter adds its row here; one without a row is refused.
 *
 * Pregnancy and disability are not fields of the API; their filters are tied to the members
 * themselves (`Household.members`), which are disclosed with every household anyway.
 */
export const WORK_LIST_READS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  regionCode: ['Household.regionCode'],
  decileMin: ['Household.decile'],
  decileMax: ['Household.decile'],
  verificationStatus: ['Household.verificationStatus'],
  program: ['Household.members', 'Person.programs'],
  hasPregnantMember: ['Household.members'],
  hasChildUnder6: ['Household.members', 'Person.birthDate'],
  hasElderlyMember: ['Household.members', 'Person.birthDate'],
  hasSevereDisability: ['Household.members'],
  notVerifiedSince: ['Household.verifiedAt'],
  'orderBy:ID': [],
  'orderBy:LAST_VERIFIED': ['Household.verifiedAt'],
});

/**
 * The governed fields a filter and sort read (`Type.field`), or the name of the first filter
 * this table does not know (to be refused).
 */
export function fieldsReadBy(
  filter: Readonly<Record<string, unknown>>,
  order: string,
): { fields: string[]; unknown: string | null } {
  const used = Object.entries(filter)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name]) => name);
  const fields = new Set<string>();
  for (const name of [...used, `orderBy:${order}`]) {
    const reads = Object.hasOwn(WORK_LIST_READS, name) ? WORK_LIST_READS[name] : undefined;
    if (!reads) return { fields: [], unknown: name };
    for (const f of reads) fields.add(f);
  }
  return { fields: [...fields], unknown: null };
}

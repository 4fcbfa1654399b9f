import { registerEnumType } from 'type-graphql';
import { CODE_LISTS, type CodeListName } from '../domain/code-lists.js';

/** GraphQL enums mirror the snapshot's code lists (docs/code-lists.md): one source of truth. */
function enumOf<L extends CodeListName>(list: L): Record<string, string> {
  return Object.fromEntries(CODE_LISTS[list].map((code) => [code, code]));
}

export const VerificationStatus = enumOf('verification_status');
export const Sex = enumOf('sex');
export const Relationship = enumOf('relationship');
export const MemberStatus = enumOf('status');

registerEnumType(VerificationStatus, {
  name: 'VerificationStatus',
  description: 'Where a household stands in verification and validation (verivali).',
});
registerEnumType(Sex, { name: 'Sex', description: 'M or F, as recorded.' });
registerEnumType(Relationship, {
  name: 'Relationship',
  description: 'Relationship to the head of the household.',
});
registerEnumType(MemberStatus, {
  name: 'MemberStatus',
  description: 'ACTIVE, DECEASED or MOVED; only active members count for eligibility.',
});

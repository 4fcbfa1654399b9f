import { z } from 'zod';
import type { EligibilityRuleDefinition } from '../db/database-types.js';

/**
 * A rule version as an operator writes it for `dtks-gateway rules publish` (RULE.json): the rule
 * as data, in the language of CONTRACT §5 (a decile ceiling; for household programs the members
 * of whom one must qualify; for person programs the group the person must be in), and its plain
 * words, which `programs` shows and decisions' explanations name. Nothing else: no code path per
 * program, and unknown keys are refused rather than ignored.
 */
const age = z.number().int().min(0).max(150);

const memberCondition = z
  .object({
    pregnant: z.boolean().optional(),
    minAge: age.optional(),
    maxAge: age.optional(),
    inSchool: z.boolean().optional(),
    disability: z.enum(['MILD', 'SEVERE']).optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a condition needs at least one requirement')
  .refine(
    (c) => c.minAge === undefined || c.maxAge === undefined || c.minAge <= c.maxAge,
    'minAge must not exceed maxAge',
  );

const conditions = z.array(memberCondition).min(1, 'list at least one condition, or leave it out');

const ruleDefinition = z
  .object({
    unit: z.enum(['HOUSEHOLD', 'PERSON']),
    maxDecile: z.number().int().min(1).max(10),
    qualifyingMember: conditions.optional(),
    targetGroup: conditions.optional(),
  })
  .strict()
  .refine((r) => r.unit === 'HOUSEHOLD' || r.qualifyingMember === undefined, {
    message: 'qualifyingMember is for HOUSEHOLD programs; a PERSON program has a targetGroup',
    path: ['qualifyingMember'],
  })
  .refine((r) => r.unit === 'PERSON' || r.targetGroup === undefined, {
    message: 'targetGroup is for PERSON programs; a HOUSEHOLD program has qualifyingMember',
    path: ['targetGroup'],
  });

const ruleFile = z
  .object({
    description: z.string().trim().min(10, 'say what the rule is in plain words').max(1_000),
    rule: ruleDefinition,
  })
  .strict();

export interface RuleFile {
  description: string;
  rule: EligibilityRuleDefinition;
}

/** Parses and checks RULE.json; throws with every problem, each with its place in the file. */
export function parseRuleFile(text: string): RuleFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the rule file is not JSON: ${(error as Error).message}`);
  }
  const parsed = ruleFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.length > 0 ? i.path.join('.') : '(file)'}: ${i.message}`,
    );
    throw new Error(`the rule file is not a valid rule: ${problems.join('; ')}`);
  }
  return parsed.data as RuleFile;
}

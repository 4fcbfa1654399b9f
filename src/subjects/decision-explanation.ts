import type { EligibilityRuleDefinition, MemberCondition } from '../db/database-types.js';
import type { ReasonCode } from '../domain/reason-codes.js';

/**
 * A program decision explained to the person it is about, in plain Bahasa Indonesia and in
 * English (issue #17): what the rule asks, which part of it decided, and how to contest it. The
 * text is built from the rule version that decided (its data, not a copy of it), so a new rule
 * version explains itself.
 */
export interface Explanation {
  id: string;
  en: string;
}

/** What an explanation is made from: the decision and the rule version that made it. */
export interface ExplainedDecision {
  programName: string;
  /** NOT_ELIGIBLE when the service's agreement has no detailed reasons. */
  reason: ReasonCode | 'NOT_ELIGIBLE';
  ruleVersion: number;
  rule: EligibilityRuleDefinition;
  /** The household's decile when it is known (null: not ranked, or not registered). */
  decile: number | null;
  dataAsOf: string;
  decisionId: string;
}

/** Explains one decision in both languages. */
export function explainDecision(d: ExplainedDecision): Explanation {
  const rule = `${d.programName} (aturan versi ${d.ruleVersion})`;
  const ruleEn = `${d.programName} (rule version ${d.ruleVersion})`;
  const limit = decileLimit(d.rule.maxDecile);
  const limitEn = decileLimitEn(d.rule.maxDecile);
  const [reasonId, reasonEn] = ((): [string, string] => {
    switch (d.reason) {
      case 'ELIGIBLE':
        return [
          `Anda memenuhi syarat ${rule}: ${requirements(d.rule)}.`,
          `You are eligible for ${ruleEn}: ${requirementsEn(d.rule)}.`,
        ];
      case 'NOT_REGISTERED':
        return [
          `NIK ini tidak tercatat dalam data per ${d.dataAsOf}, sehingga tidak dapat dinilai untuk ${rule}.`,
          `This NIK is not in the data as of ${d.dataAsOf}, so it cannot be assessed for ${ruleEn}.`,
        ];
      case 'INACTIVE':
        return [
          `Status Anda dalam data per ${d.dataAsOf} tidak aktif (misalnya pindah atau meninggal); ${rule} hanya untuk anggota keluarga yang aktif.`,
          `Your status in the data as of ${d.dataAsOf} is not active (for example moved or deceased); ${ruleEn} is only for active household members.`,
        ];
      case 'HOUSEHOLD_REJECTED':
        return [
          `Keluarga Anda berstatus ditolak pada verifikasi dan validasi terakhir, sehingga tidak dapat menerima ${rule}.`,
          `Your household was rejected at the last verification and validation, so it cannot receive ${ruleEn}.`,
        ];
      case 'NOT_RANKED':
        return [
          `Keluarga Anda belum memiliki peringkat kesejahteraan (desil), sedangkan ${rule} hanya untuk keluarga ${limit}.`,
          `Your household has no welfare ranking (decile) yet, while ${ruleEn} is only for households ${limitEn}.`,
        ];
      case 'ABOVE_DECILE_THRESHOLD':
        return [
          `Keluarga Anda berada pada desil ${d.decile ?? '?'}, sedangkan ${rule} hanya untuk keluarga ${limit}.`,
          `Your household is in decile ${d.decile ?? '?'}, while ${ruleEn} is only for households ${limitEn}.`,
        ];
      case 'NO_QUALIFYING_MEMBER':
        return [
          `Tidak ada anggota keluarga aktif yang ${anyOf(d.rule.qualifyingMember)}, yang menjadi syarat ${rule}.`,
          `No active member of your household is ${anyOfEn(d.rule.qualifyingMember)}, which ${ruleEn} requires.`,
        ];
      case 'NOT_ELIGIBLE':
        return [
          `Anda tidak memenuhi syarat ${rule}. Rincian alasannya tidak tersedia melalui layanan ini; syaratnya: ${requirements(d.rule)}.`,
          `You are not eligible for ${ruleEn}. The detailed reason is not available through this service; the rule asks for ${requirementsEn(d.rule)}.`,
        ];
      case 'NOT_IN_TARGET_GROUP':
        return [
          `Anda tidak termasuk sasaran ${rule}, yaitu orang yang ${anyOf(d.rule.targetGroup)}.`,
          `You are not in the target group of ${ruleEn}: persons ${anyOfEn(d.rule.targetGroup)}.`,
        ];
    }
  })();
  return {
    id:
      `${reasonId} Jika menurut Anda keputusan ini keliru, ajukan sanggah dengan menyebut ` +
      `nomor keputusan ${d.decisionId}.`,
    en:
      `${reasonEn} If you believe this decision is wrong, you may contest it (sanggah) ` +
      `quoting decision number ${d.decisionId}.`,
  };
}

function decileLimit(max: number): string {
  return max <= 1 ? 'desil 1' : `desil 1–${max}`;
}

function decileLimitEn(max: number): string {
  return max <= 1 ? 'in decile 1' : `in deciles 1–${max}`;
}

function requirements(rule: EligibilityRuleDefinition): string {
  const parts = [`keluarga ${decileLimit(rule.maxDecile)}`];
  if (rule.qualifyingMember?.length) {
    parts.push(`ada anggota keluarga aktif yang ${anyOf(rule.qualifyingMember)}`);
  }
  if (rule.targetGroup?.length) parts.push(`Anda ${anyOf(rule.targetGroup)}`);
  return parts.join(', dan ');
}

function requirementsEn(rule: EligibilityRuleDefinition): string {
  const parts = [`a household ${decileLimitEn(rule.maxDecile)}`];
  if (rule.qualifyingMember?.length) {
    parts.push(`an active household member ${anyOfEn(rule.qualifyingMember)}`);
  }
  if (rule.targetGroup?.length) parts.push(`you being ${anyOfEn(rule.targetGroup)}`);
  return parts.join(', and ');
}

function anyOf(conditions: readonly MemberCondition[] | undefined): string {
  return (conditions ?? []).map(condition).join(', atau ');
}

function anyOfEn(conditions: readonly MemberCondition[] | undefined): string {
  return (conditions ?? []).map(conditionEn).join(', or ');
}

function condition(c: MemberCondition): string {
  const parts: string[] = [];
  if (c.pregnant) parts.push('sedang hamil');
  if (c.minAge !== undefined && c.maxAge !== undefined) {
    parts.push(`berusia ${c.minAge}–${c.maxAge} tahun`);
  } else if (c.maxAge !== undefined) {
    parts.push(`berusia paling tinggi ${c.maxAge} tahun`);
  } else if (c.minAge !== undefined) {
    parts.push(`berusia ${c.minAge} tahun atau lebih`);
  }
  if (c.inSchool) parts.push('bersekolah');
  if (c.disability === 'SEVERE') parts.push('penyandang disabilitas berat');
  if (c.disability === 'MILD') parts.push('penyandang disabilitas ringan');
  return parts.join(' dan ');
}

function conditionEn(c: MemberCondition): string {
  const parts: string[] = [];
  if (c.pregnant) parts.push('pregnant');
  if (c.minAge !== undefined && c.maxAge !== undefined) {
    parts.push(`aged ${c.minAge}–${c.maxAge}`);
  } else if (c.maxAge !== undefined) {
    parts.push(`aged ${c.maxAge} or under`);
  } else if (c.minAge !== undefined) {
    parts.push(`aged ${c.minAge} or over`);
  }
  if (c.inSchool) parts.push('in school');
  if (c.disability === 'SEVERE') parts.push('with a severe disability');
  if (c.disability === 'MILD') parts.push('with a mild disability');
  return parts.join(' and ');
}

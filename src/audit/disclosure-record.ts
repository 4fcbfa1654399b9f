/** One masked or withheld value in a response (CONTRACT §7: `extensions.disclosure`). */
export interface DisclosureNote {
  path: string;
  rule: 'MASKED' | 'WITHHELD';
  /** For masks: which one (e.g. FIRST6_LAST4). */
  mask?: string;
}

/**
 * What one request disclosed, gathered while it runs: the capability services (eligibility,
 * statistics, verification) and the scoped data layer add to it, and the disclosure-audit plugin
 * (src/server/plugins/disclosure-audit.plugin.ts) makes it the request's audit event and its
 * `extensions.disclosure` notes.
 */
export interface DisclosureRecord {
  /** `Type.field` of every field given (shown or masked). */
  fields: Set<string>;
  /** Clear NIKs of the persons disclosed; hashed before they reach the audit log. */
  subjects: Set<string>;
  /** Audit subject hashes already computed in this request (NIK → hash), so none is computed twice. */
  subjectHashes: Map<string, string>;
  decisionIds: string[];
  /**
   * Aggregate answers given (statistics), as `METHOD:queryKey`: audited as DISCLOSED with no
   * subjects, the keys in the event's decision ids.
   */
  aggregates: string[];
  notes: DisclosureNote[];
  /**
   * The published document the request ran instead of query text (CONTRACT §10): its id and
   * the application version that published it, `name@version`. Recorded in the audit event.
   */
  document?: { id: string; app: string };
}

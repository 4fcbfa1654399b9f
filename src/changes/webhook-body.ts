import { subjectHash } from '../audit/subject-hash.js';
import type { EventJson } from '../db/scoped/webhook-store.js';
import { openSubject } from '../db/subject-seal.js';

/** A webhook body and what sending it discloses, for the audit event. */
export interface WebhookBody {
  body: string;
  /** Keyed hashes of the NIKs the events are about (never the NIKs). */
  subjects: string[];
  /** The decision ids (eligibility events) or event ids the body carries. */
  auditIds: string[];
}

/**
 * The body of one delivery (CONTRACT §11): `{"type":"dtks.changes","timestamp",…,"data":
 * {"events":[…]}}`, joined from the events' JSON as PostgreSQL built it
 * (`webhookStore.eventsAsJson`). Only the seals are opened here: the NIK goes into an event
 * where the agreement's policy shows it, and every subject is hashed for the audit log.
 */
export function webhookBody(
  events: readonly EventJson[],
  keys: { showNik: boolean; sealKey: Buffer; subjectKey: Buffer },
  now = new Date(),
): WebhookBody {
  const subjects = new Set<string>();
  const auditIds: string[] = [];
  const parts = events.map((e) => {
    if (e.head === null) throw new Error(`a change event of unknown kind ${e.kind}`);
    auditIds.push(e.auditId);
    let nik: string | null = null;
    if (e.nikSealed) {
      nik = openSubject(keys.sealKey, e.nikSealed);
      subjects.add(subjectHash(keys.subjectKey, nik));
    }
    if (e.subjectsSealed) {
      const members = openSubject(keys.sealKey, e.subjectsSealed);
      if (members !== '')
        for (const m of members.split(',')) subjects.add(subjectHash(keys.subjectKey, m));
    }
    if (e.tail === null) return e.head;
    const shown = keys.showNik && nik !== null ? JSON.stringify(nik) : 'null';
    return `${e.head},"nik":${shown}${e.tail}`;
  });
  return {
    body: `{"type":"dtks.changes","timestamp":${JSON.stringify(now.toISOString())},"data":{"events":[${parts.join(',')}]}}`,
    subjects: [...subjects],
    auditIds,
  };
}

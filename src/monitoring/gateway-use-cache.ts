import type { GatewayUseAnswer } from './gateway-use.js';

/** How long an answer is reused: the figures a dashboard shows may be this old. */
export const GATEWAY_USE_MAX_AGE_MS = 15_000;
/** Ranges kept (a dashboard asks for a few: today, the last 7 and 30 days). */
const MAX_ENTRIES = 16;

interface Entry {
  at: number;
  answer: Promise<GatewayUseAnswer>;
}

/**
 * `gatewayUse` answers, kept for 15 s per question, one cache per gateway. A question is six
 * statements (the audit counts are hourly rows since migration 0030, no longer a pass over the
 * log), and every open dashboard asks its questions again and again: one answer per 15 s serves
 * them all. The answer is the whole gateway's, the same for everyone the gate lets ask (no region
 * scope or agency narrows it), so the question alone is the key. Concurrent misses share one
 * count; a failed count is not kept.
 */
export class GatewayUseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxAgeMs = GATEWAY_USE_MAX_AGE_MS) {}

  get(key: string, count: () => Promise<GatewayUseAnswer>): Promise<GatewayUseAnswer> {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.maxAgeMs) return entry.answer;
    const answer = count();
    answer.catch(() => {
      if (this.entries.get(key)?.answer === answer) this.entries.delete(key);
    });
    this.entries.delete(key);
    this.entries.set(key, { at: now, answer });
    while (this.entries.size > MAX_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return answer;
  }
}

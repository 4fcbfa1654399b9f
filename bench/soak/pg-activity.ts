/**
 * Where PostgreSQL's time goes during the soak: once a second, the client backends that are
 * running a statement (pg_stat_activity), by the statement's first words and what it waits on.
 * The average number of backends in each line is its share of the database's busy time.
 */
import type pg from 'pg';

export interface ActivityLine {
  /** The statement's first 100 characters, whitespace folded. */
  statement: string;
  /** CPU (not waiting), or the wait event type (IO, LWLock, Lock, IPC, Client …). */
  wait: string;
  /** Backends running it, on average over the samples. */
  backends: number;
}

export interface ActivitySummary {
  samples: number;
  /** Backends running a statement, on average. */
  active: number;
  lines: ActivityLine[];
}

export function sampleActivity(
  pool: pg.Pool,
  everyMs: number,
): { stop(): Promise<ActivitySummary> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { rows } = await pool.query<{ q: string; w: string }>(
          `SELECT regexp_replace(left(query, 100), '\\s+', ' ', 'g') AS q,
                  coalesce(wait_event_type, 'CPU') AS w
             FROM pg_stat_activity
            WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        samples++;
        active += rows.length;
        for (const r of rows) {
          const key = `${r.w}\u0000${r.q.trim()}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      } catch {
        // a sample lost: the next one counts
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const lines = [...counts]
        .map(([key, n]) => {
          const [wait, statement] = key.split('\u0000');
          return {
            statement: statement!,
            wait: wait!,
            backends: Math.round((n / samples) * 100) / 100,
          };
        })
        .sort((a, b) => b.backends - a.backends)
        .slice(0, 12);
      return { samples, active: Math.round((active / Math.max(1, samples)) * 100) / 100, lines };
    },
  };
}

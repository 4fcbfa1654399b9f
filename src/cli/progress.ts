/** Reports progress of long work: a live line on a terminal, a plain line every few seconds otherwise. */
export interface Progress {
  /** `done` units so far (of `total` when known). */
  update(done: number): void;
  /** Ends the live line. */
  finish(): void;
}

export interface ProgressOptions {
  /** Units of the whole work, when known: gives a percentage and an ETA. */
  total?: number;
  unit: string;
  /**
   * The share of the work done (0–1) when it is not `done / total`: e.g. bytes of input read
   * while the rate counts NIKs. The ETA then follows how fast this share grows from the first
   * update on (work skipped before it, such as a resumed run's rows, does not count as speed).
   */
  fraction?: () => number;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
}

export function createProgress(label: string, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 200 : 5_000);
  const started = Date.now();
  let last = tty ? 0 : started; // plain logs: first line after one interval, not a "0%" line
  let shown = false;
  let firstFraction: number | null = null;
  const share = (done: number): number | null => {
    if (options.fraction) return Math.min(1, Math.max(0, options.fraction()));
    return options.total ? Math.min(1, done / options.total) : null;
  };
  const render = (done: number): string => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const parts = [
      `${label}: ${formatCount(done)} ${options.unit}`,
      `${formatCount(rate)} ${options.unit}/s`,
    ];
    const s = share(done);
    if (s !== null) {
      // A drawn bar on a terminal; plain logs get the percentage only.
      parts.splice(1, 0, `${tty ? bar(s) + ' ' : ''}${(s * 100).toFixed(1)}%`);
      const eta = options.fraction
        ? etaFromShare(s, firstFraction ?? 0, seconds)
        : rate > 0
          ? (options.total! - done) / rate
          : null;
      if (eta !== null && s < 1) parts.push(`ETA ${formatSeconds(eta)}`);
    }
    return parts.join('  ');
  };
  return {
    update(done) {
      firstFraction ??= options.fraction ? options.fraction() : null;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      if (tty) {
        stream.write(`\r\x1b[2K${render(done)}`);
        shown = true;
      } else {
        stream.write(`${render(done)}\n`);
      }
    },
    finish() {
      if (tty && shown) stream.write('\r\x1b[2K');
    },
  };
}

const BAR_WIDTH = 24;

/** `[██████░░░░░░]` for a share of 0–1. */
export function bar(share: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * BAR_WIDTH);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`;
}

/** Seconds left when the share grew from `from` to `now` in `seconds`; null before any growth. */
function etaFromShare(now: number, from: number, seconds: number): number | null {
  const grown = now - from;
  return grown > 0 && seconds > 0 ? ((1 - now) * seconds) / grown : null;
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** 42 s, 7 min 5 s, 2 h 3 min. */
export function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

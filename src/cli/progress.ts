/** Reports progress of long work: a live line on a terminal, a plain line every few seconds otherwise. */
export interface Progress {
  /** `done` units so far (of `total` when known). */
  update(done: number): void;
  /** Ends the live line. */
  finish(): void;
}

export function createProgress(
  label: string,
  options: { total?: number; unit: string; stream?: NodeJS.WriteStream; intervalMs?: number },
): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 200 : 5_000);
  const started = Date.now();
  let last = tty ? 0 : started; // plain logs: first line after one interval, not a "0%" line
  let shown = false;
  const render = (done: number): string => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const parts = [
      `${label}: ${formatCount(done)} ${options.unit}`,
      `${formatCount(rate)} ${options.unit}/s`,
    ];
    if (options.total) {
      const share = Math.min(1, done / options.total);
      parts.splice(1, 0, `${(share * 100).toFixed(1)}%`);
      if (rate > 0 && share < 1) parts.push(`ETA ${Math.ceil((options.total - done) / rate)} s`);
    }
    return parts.join('  ');
  };
  return {
    update(done) {
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

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/**
 * Durations as operators write them: `3600s`, `30m`, `1h`, `12h`, `2d`, or bare seconds (`3600`).
 * Returns whole seconds, or null for anything else.
 */
export function parseDuration(text: string): number | null {
  const match = /^\s*([0-9]{1,9})\s*(s|m|h|d)?\s*$/i.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const factor = unit === 'd' ? 86_400 : unit === 'h' ? 3_600 : unit === 'm' ? 60 : 1;
  const seconds = amount * factor;
  return Number.isSafeInteger(seconds) ? seconds : null;
}

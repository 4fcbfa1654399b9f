/**
 * Decimal text of small whole numbers from precomputed tables.
 *
 * Converting many distinct numbers with `String(n)` churns V8's number-to-string cache: every
 * cached string survives young-generation collections and is promoted, which at 10 million
 * persons let the old generation grow by over 100 MB of garbage. Table lookups allocate nothing.
 */
const SMALL = Array.from({ length: 10_000 }, (_, i) => String(i));
const PAD4 = SMALL.map((s) => s.padStart(4, '0'));
/** Two-digit fractions without trailing zero: 5 → "05", 50 → "5". */
const FRACTION = SMALL.slice(0, 100).map((s, i) =>
  i % 10 === 0 ? String(i / 10) : s.padStart(2, '0'),
);

/** Decimal text of a whole number ≥ 0. */
export function numberText(n: number): string {
  return n < 10_000 ? SMALL[n]! : String(n);
}

/** A whole number < 10,000 zero-padded to 4 digits. */
export function pad4(n: number): string {
  return PAD4[n]!;
}

/** `n` zero-padded to 3 digits (n < 1,000). */
export function pad3(n: number): string {
  return PAD4[n]!.slice(1);
}

/** A whole number zero-padded to 9 digits (n < 10⁹). */
export function pad9(n: number): string {
  const high = Math.floor(n / 10_000);
  return numberText(high).padStart(5, '0') + PAD4[n % 10_000]!;
}

/** Hundredths as a decimal with at most two decimals: 4550 → "45.5", 4500 → "45". */
export function centiText(centi: number): string {
  const whole = Math.floor(centi / 100);
  const fraction = centi % 100;
  return fraction === 0 ? numberText(whole) : `${numberText(whole)}.${FRACTION[fraction]}`;
}

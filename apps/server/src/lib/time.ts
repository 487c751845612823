/** Timestamps go out as RFC 3339 in UTC. */
export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The next UTC midnight after `now`. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

const DAY_MS = 86_400_000;
// The last day's string, kept: formatting a date costs more than the rest of a limit check.
let lastDay = { number: Number.NaN, text: '' };

/** The UTC date of `now`, e.g. 2026-11-25 (a day counter's, a retention run's). */
export function utcDay(now: Date): string {
  const number = Math.floor(now.getTime() / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, text: now.toISOString().slice(0, 10) };
  return lastDay.text;
}

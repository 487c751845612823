const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const integer = new Intl.NumberFormat(undefined);

export const formatTime = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatHour = (iso: string): string => shortTime.format(new Date(iso));
export const formatCount = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : integer.format(n));
export const formatMs = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `${integer.format(Math.round(n))} ms`);

/** A share as a percentage with one decimal; '—' when there is nothing to divide. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return '—';
  return `${(Math.round((part / whole) * 1000) / 10).toFixed(1)} %`;
}

/** Start of today in UTC, where daily quotas reset. */
export function startOfUtcDay(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
}

/** A <input type="datetime-local"> value (local time) as an RFC 3339 UTC timestamp. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** A Date as a <input type="datetime-local"> value in local time. */
export function isoToLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "1 request", "2 requests". */
export const plural = (n: number, noun: string): string => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;

// Relative dates for the dashboard ("3h ago", "3小时前"), in the current language, with the exact
// date and time beside them for a tooltip. Views call these; they never format a date inline.

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

function timeOf(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

/** "3h ago", "in 2 min" (a clock ahead of ours), "now" under a second; "—" for no date. */
export function formatRelativeTime(value: number | string | null | undefined, now: number, locale: string): string {
  const t = timeOf(value);
  if (t === null) return '—';
  const diff = t - now;
  // Always a number ("1d ago", not "yesterday"): the column compares at a glance.
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'narrow' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return format.format(Math.trunc(diff / ms), unit);
  }
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' }).format(0, 'second');
}

/** The exact local date and time, for the tooltip ("7 Dec 2026, 03:15:02"). */
export function formatExactTime(value: number | string | null | undefined, locale: string): string {
  const t = timeOf(value);
  if (t === null) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(t);
}

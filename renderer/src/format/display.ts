// Display mappers the renderer needs beyond shared/format.ts (which it uses for bytes, speed,
// durations, percentages, phases and resume wording). Views call these; they never format inline.
// Numbers, dates, times, sizes and durations follow the current locale (currentLocale(), Intl):
// English output is what it always was; Simplified Chinese gets its own words and forms.
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import type { LifecycleStep } from '../../../shared/upload.ts';
import { currentLocale, i18n } from '../i18n/index.ts';

/** 1234567 → "1,234,567" (the locale's grouping and decimal signs). */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  if (!Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(currentLocale(), options).format(value);
}

/** 43 → "43%". */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return '—';
  return new Intl.NumberFormat(currentLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(
    Math.round(percent) / 100,
  );
}

/**
 * 1536 → "1.50 KiB": binary units (as qemu-img and Glance's docs use, and shared formatBytes),
 * the number in the locale's form.
 */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const plain = formatBytes(bytes); // "1.50 KiB": the digits and unit every view and the CLI agree on
  const space = plain.indexOf(' ');
  const digits = Number(plain.slice(0, space));
  const decimals = plain.slice(0, space).split('.')[1]?.length ?? 0;
  return `${formatNumber(digits, { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}${plain.slice(space)}`;
}

function toTime(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

/** An epoch-ms or ISO time → the local date and time; anything unreadable → "—". */
export function formatDateTime(value: number | string | null | undefined): string {
  const t = toTime(value);
  return t === null ? '—' : new Date(t).toLocaleString(currentLocale());
}

/** An epoch-ms or ISO time → the local date alone. */
export function formatDate(value: number | string | null | undefined): string {
  const t = toTime(value);
  return t === null ? '—' : new Date(t).toLocaleDateString(currentLocale());
}

/** An epoch-ms or ISO time → the local time of day alone. */
export function formatTime(value: number | string | null | undefined): string {
  const t = toTime(value);
  return t === null ? '—' : new Date(t).toLocaleTimeString(currentLocale());
}

/** An epoch-ms time → the local time of day ("14:03:27"), with the date when it is not today. */
export function formatClock(value: number | null | undefined, now: number = Date.now()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const when = new Date(value);
  const locale = currentLocale();
  return when.toDateString() === new Date(now).toDateString()
    ? when.toLocaleTimeString(locale)
    : when.toLocaleString(locale);
}

/** Milliseconds → "12 s", "3 min 05 s" ("12 秒", "3 分 05 秒"). */
export function formatElapsed(elapsedMs: number): string {
  const seconds = Math.max(0, elapsedMs) / 1000;
  if (currentLocale() === 'en' || !Number.isFinite(seconds)) return formatDuration(seconds);
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return i18n.t('duration.seconds', { s });
  if (s < 3600) return i18n.t('duration.minutes', { m: Math.floor(s / 60), s: pad(s % 60) });
  return i18n.t('duration.hours', { h: Math.floor(s / 3600), m: pad(Math.floor((s % 3600) / 60)) });
}

/** Milliseconds since something happened → "12 s ago", "3 min 05 s ago" ("3 分 05 秒前"). */
export function formatAgo(elapsedMs: number): string {
  return i18n.t('time.ago', { elapsed: formatElapsed(elapsedMs) });
}

/** "1.2 GiB of 2.8 GiB". */
export function formatProgressBytes(done: number, total: number): string {
  return i18n.t('progressBytes', { done: formatSize(done), total: formatSize(total) });
}

/** An image's name, or its id when it has none. */
export function imageLabel(name: string | null | undefined, id: string): string {
  return name && name.trim() !== '' ? name : i18n.t('unnamedImage', { id: id.slice(0, 8) });
}

const LIFECYCLE_STEPS: readonly LifecycleStep[] = [
  'checked',
  'created',
  'uploading',
  'saving',
  'staged',
  'importing',
  'registering',
  'active',
  'verified',
];

/** Each lifecycle step's name, in the current language (read when used: each key is a getter). */
export const LIFECYCLE_LABELS: Readonly<Record<LifecycleStep, string>> = Object.freeze(
  Object.defineProperties(
    {} as Record<LifecycleStep, string>,
    Object.fromEntries(
      LIFECYCLE_STEPS.map((step) => [step, { enumerable: true, get: () => i18n.t(`lifecycle.${step}`) }]),
    ),
  ),
);

// ── the queue (durations and countdowns in the current language) ──

/** Seconds → "42 s", "3 min 05 s", "2 h 07 min" (English) or "42 秒", "3 分 05 秒", "2 小时 07 分" (Chinese); null → "—". */
export function formatDurationIn(locale: string, seconds: number | null | undefined): string {
  if (!locale.startsWith('zh')) return formatDuration(seconds);
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} 秒`;
  if (s < 3600) return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, '0')} 秒`;
  return `${Math.floor(s / 3600)} 小时 ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} 分`;
}

/** An error's code with the HTTP status the server answered, as operators quote it: "glance/quota-exceeded · 413". */
export function formatErrorCode(error: { readonly code: string; readonly httpStatus?: number | undefined }): string {
  return error.httpStatus !== undefined ? `${error.code} · ${error.httpStatus}` : error.code;
}

/** Milliseconds until something is due → whole seconds, rounded up, never below 0 ("retrying in 12 s"). */
export function secondsUntil(dueAt: number, now: number): number {
  return Math.max(0, Math.ceil((dueAt - now) / 1000));
}

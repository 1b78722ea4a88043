// Display mappers the renderer needs beyond shared/format.ts (which it uses for bytes, speed,
// durations, percentages, phases and resume wording). Views call these; they never format inline.
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import type { LifecycleStep } from '../../../shared/upload.ts';

/** 43 → "43%". */
export function formatPercent(percent: number): string {
  return `${Math.round(percent)}%`;
}

/** An epoch-ms or ISO time → the local date and time; anything unreadable → "—". */
export function formatDateTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : '—';
}

/** An epoch-ms time → the local time of day ("14:03:27"), with the date when it is not today. */
export function formatClock(value: number | null | undefined, now: number = Date.now()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const when = new Date(value);
  return when.toDateString() === new Date(now).toDateString() ? when.toLocaleTimeString() : when.toLocaleString();
}

/** Milliseconds → "12 s", "3 min 05 s". */
export function formatElapsed(elapsedMs: number): string {
  return formatDuration(Math.max(0, elapsedMs) / 1000);
}

/** Milliseconds since something happened → "12 s ago", "3 min 05 s ago". */
export function formatAgo(elapsedMs: number): string {
  return `${formatElapsed(elapsedMs)} ago`;
}

/** "1.2 GiB of 2.8 GiB". */
export function formatProgressBytes(done: number, total: number): string {
  return `${formatBytes(done)} of ${formatBytes(total)}`;
}

/** 3, "image" → "3 images". */
export function formatCount(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** An image's name, or its id when it has none. */
export function imageLabel(name: string | null | undefined, id: string): string {
  return name && name.trim() !== '' ? name : `(unnamed ${id.slice(0, 8)})`;
}

export const LIFECYCLE_LABELS: Readonly<Record<LifecycleStep, string>> = {
  checked: 'Checked',
  created: 'Record created',
  uploading: 'Uploading',
  saving: 'Saving',
  staged: 'Staged',
  importing: 'Importing',
  registering: 'Registering',
  active: 'Active',
  verified: 'Verified',
};

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

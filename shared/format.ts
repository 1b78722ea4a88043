// Pure display mappers, shared by the renderer and the CLI so that both say the same thing.
// Views never format numbers inline; they call these.
import type { ResumePlan, UploadPhase, UploadSnapshot } from './upload.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.5 KiB"; null → "—". Binary units, as qemu-img and Glance's docs use. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`;
}

/** Bytes per second → "12.3 MiB/s". */
export function formatSpeed(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds → "42 s", "3 min 05 s", "2 h 07 min"; null → "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Whole percent of a progress, never 100 before the last byte. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0;
  const p = Math.floor((done / total) * 100);
  return done < total ? Math.min(p, 99) : 100;
}

const PHASE_LABELS: Readonly<Record<UploadPhase, string>> = {
  queued: 'Waiting',
  checking: 'Checking',
  creating: 'Creating record',
  uploading: 'Uploading',
  paused: 'Paused',
  interrupted: 'Interrupted',
  verifying: 'Verifying',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function phaseLabel(phase: UploadPhase): string {
  return PHASE_LABELS[phase];
}

/** What "Resume" will really do, in the words every view uses. Empty when there is nothing to resume. */
export function resumeText(plan: ResumePlan): string {
  switch (plan.kind) {
    case 'none':
      return '';
    case 'continue':
      return `continues at ${plan.percent}%`;
    case 'restart':
      return 'starts again from 0: the image service cannot continue a broken upload';
    case 'recreate':
      return `starts again from 0 with a new image record: the old one is ${
        plan.imageStatus === 'unknown' ? 'in an unknown state' : `stuck in ${plan.imageStatus}`
      } and will be deleted`;
    case 'verify':
      return 'checks the image: the image service already has every byte';
  }
}

/** One line of progress for logs and the CLI: "ubuntu.qcow2 uploading 43% 1.2 GiB of 2.8 GiB, 180 MiB/s, 9 s left". */
export function progressLine(s: UploadSnapshot): string {
  const parts = [`${s.fileName}: ${phaseLabel(s.phase).toLowerCase()}`];
  if (s.phase === 'uploading' || s.phase === 'paused') {
    parts.push(
      `${percentOf(s.bytesSent, s.bytesTotal)}% (${formatBytes(s.bytesSent)} of ${formatBytes(s.bytesTotal)})`,
    );
    if (s.phase === 'uploading') parts.push(`${formatSpeed(s.bytesPerSecond)}, ${formatDuration(s.etaSeconds)} left`);
  }
  if (s.imageStatus) parts.push(`image ${s.imageStatus}`);
  if (s.error) parts.push(s.error.message);
  return parts.join(', ');
}

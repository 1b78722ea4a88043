// Progress for the CLI: on a terminal, one redrawn bar per job with speed and ETA; otherwise
// plain lines on stderr (every phase change, and progress every few seconds).
import { formatBytes, formatDuration, formatSpeed, percentOf, phaseLabel, resumeText } from '../../../shared/format.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import type { CliIo } from './command.ts';
import { terminalSafe, writeLine } from './terminal.ts';

export const PLAIN_PROGRESS_EVERY_MS = 2_000;
const BAR_WIDTH = 24;

export interface CliProgress {
  update(batch: readonly UploadSnapshot[]): void;
  phase(snapshot: UploadSnapshot): void;
  finish(): void;
}

function bar(s: UploadSnapshot): string {
  const fraction = s.bytesTotal > 0 ? Math.min(1, s.bytesSent / s.bytesTotal) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

export function describeState(s: UploadSnapshot): string {
  switch (s.phase) {
    case 'uploading':
      return `${percentOf(s.bytesSent, s.bytesTotal)}% ${formatBytes(s.bytesSent)}/${formatBytes(s.bytesTotal)} ${formatSpeed(s.bytesPerSecond)} ETA ${formatDuration(s.etaSeconds)}`;
    case 'paused':
      return `paused at ${percentOf(s.bytesSent, s.bytesTotal)}%`;
    case 'interrupted':
      return `interrupted: ${s.error?.message ?? ''}${s.retryAt ? ` (retrying in ${formatDuration((s.retryAt - Date.now()) / 1000)}; ${resumeText(s.resume)})` : ''}`;
    case 'verifying': {
      // An import says each store's state; an IMS job its percent.
      const stores = s.stores?.length ? `; ${s.stores.map((x) => `${x.store} ${x.state}`).join(', ')}` : '';
      const job = s.remoteJob
        ? `; job ${s.remoteJob.status}${s.remoteJob.percent !== null ? ` ${s.remoteJob.percent}%` : ''}`
        : '';
      return `verifying (image ${s.imageStatus ?? '…'}${stores}${job})`;
    }
    case 'done':
      return s.verified ? `active, verified (${s.checksums.algorithm} match)` : 'done, not verified';
    case 'failed':
      return `failed: ${s.error?.message ?? ''}`;
    default:
      return phaseLabel(s.phase).toLowerCase();
  }
}

export function createCliProgress(io: CliIo, interactive: boolean): CliProgress {
  const latest = new Map<string, UploadSnapshot>();
  const lastPlain = new Map<string, number>();
  let drawn = 0;

  function draw(): void {
    const out = io.stderr;
    if (drawn > 0) out.write(`\x1b[${drawn}A`);
    // A pseudo-terminal without a size reports 0 columns: fall back to COLUMNS, then 100.
    const width = Math.max(40, (io.stderr.columns || Number(io.env.COLUMNS) || 100) - 1);
    for (const s of latest.values()) {
      // Only the redraw's own sequences reach the terminal: the text itself is made safe first.
      const fileName = terminalSafe(s.fileName);
      const name = fileName.length > 24 ? `${fileName.slice(0, 23)}…` : fileName.padEnd(24);
      out.write(`\x1b[2K${`${name} ${bar(s)} ${terminalSafe(describeState(s))}`.slice(0, width)}\n`);
    }
    drawn = latest.size;
  }

  function plain(s: UploadSnapshot, force: boolean): void {
    const now = Date.now();
    if (!force && now - (lastPlain.get(s.id) ?? 0) < PLAIN_PROGRESS_EVERY_MS) return;
    lastPlain.set(s.id, now);
    writeLine(io.stderr, `${s.fileName}: ${describeState(s)}`);
  }

  return {
    update(batch) {
      for (const s of batch) latest.set(s.id, s);
      if (interactive) draw();
      else for (const s of batch) if (s.phase === 'uploading') plain(s, false);
    },
    phase(s) {
      latest.set(s.id, s);
      if (interactive) draw();
      // The final state of each job is in the summary the command prints at the end.
      else if (s.phase !== 'done' && s.phase !== 'failed' && s.phase !== 'cancelled') plain(s, true);
    },
    finish() {
      if (interactive) draw();
    },
  };
}

// Whether closing the window must ask first, and the question. Closing the window quits
// Imagedrop, which stops every running upload; the queue comes back at the next start, but
// Glance cannot continue a broken upload, so those files are sent again from the start.
import { isActive } from '../../../shared/phases.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';

export interface CloseQuestion {
  readonly type: 'question';
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly buttons: readonly [string, string];
  /** Index of the safe answer (Enter and Escape give it). */
  readonly keepButton: 0;
  /** Index of the answer that closes. */
  readonly closeButton: 1;
}

const NAMES_SHOWN = 3;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Null when nothing would be lost (close at once); otherwise the question to ask. */
export function closeQuestion(snapshots: readonly UploadSnapshot[]): CloseQuestion | null {
  const active = snapshots.filter((s) => isActive(s.phase));
  if (active.length === 0) return null;
  const n = active.length;
  const uploads = n === 1 ? 'upload' : 'uploads';
  return {
    type: 'question',
    title: 'Imagedrop',
    message: n === 1 ? `Stop 1 upload and quit Imagedrop?` : `Stop ${n} uploads and quit Imagedrop?`,
    detail:
      `Still in progress: ${listNames(active.map((s) => s.fileName))}. ` +
      `If you quit now, the ${uploads} stop${n === 1 ? 's' : ''} and stay${n === 1 ? 's' : ''} in the queue; ` +
      `resuming later sends the file${n === 1 ? '' : 's'} again from the start, because the image service ` +
      `cannot continue a broken upload.`,
    buttons: ['Keep uploading', n === 1 ? 'Stop upload and quit' : 'Stop uploads and quit'],
    keepButton: 0,
    closeButton: 1,
  };
}

// What the next "Resume" will really do, as a pure decision over what the image service holds.
// Each target reads its own server (an image status, an object store's parts) and says it in
// these words; the plan follows from them alone.
import { percentOf } from '../../../../shared/format.ts';
import type { ImageStatus, ResumePlan } from '../../../../shared/upload.ts';

export type ServerView =
  /** Every byte is with the service already: resuming only verifies. */
  | { readonly kind: 'complete' }
  /** The record cannot take data as it is and must be replaced (with the user's consent). */
  | { readonly kind: 'stuck'; readonly status: ImageStatus | 'unknown' }
  /** The record takes data; `offset` bytes of an earlier attempt are kept and need not go again. */
  | { readonly kind: 'waiting'; readonly offset: number }
  /** Nothing usable, or it could not be read: the file goes again from 0. */
  | { readonly kind: 'none' };

export function resumePlanFor(view: ServerView, bytesTotal: number): ResumePlan {
  switch (view.kind) {
    case 'complete':
      return { kind: 'verify' };
    case 'stuck':
      return { kind: 'recreate', imageStatus: view.status };
    case 'waiting':
      return view.offset > 0 ? { kind: 'continue', percent: percentOf(view.offset, bytesTotal) } : { kind: 'restart' };
    case 'none':
      return { kind: 'restart' };
  }
}

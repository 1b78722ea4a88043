// Which images the dashboard may delete, by status and age: the one rule the renderer shows and
// main applies again (on the image read afresh) before it deletes anything. Ownership, protection
// and this app's own unfinished uploads are checked beside it, by each side.
import type { GlanceImageStatus } from './glance.ts';
import { DEAD_STATUSES, STUCK_STATUSES } from './ipc.ts';

/** Why an image may go: it is dead (killed: at any age), or stuck (a stuck status, idle past the threshold). */
export type DeletableBecause = 'dead' | 'stuck';

export function deletableBecause(
  status: GlanceImageStatus,
  updatedAt: string,
  now: number,
  stuckAfterMs: number,
): DeletableBecause | null {
  if (DEAD_STATUSES.includes(status)) return 'dead';
  if (!STUCK_STATUSES.includes(status)) return null;
  const updated = Date.parse(updatedAt);
  return Number.isFinite(updated) && now - updated > stuckAfterMs ? 'stuck' : null;
}

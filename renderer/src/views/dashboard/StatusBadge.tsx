// One Glance status, styled so that it reads at a glance: active green with a tick, killed red with
// a cross, the in-between statuses (queued, saving, uploading, importing) amber with a clock, and
// the ones that leave service (deactivated, pending_delete, deleted) grey with a bar. The colour
// is never alone: the status word is the text, the icon is drawn by CSS (hidden from assistive
// technology), and the title says what the status means in the user's language.
import { useTranslation } from 'react-i18next';
import type { GlanceImageStatus } from '../../../../shared/glance.ts';

export type StatusTone = 'good' | 'bad' | 'busy' | 'gone';

export const STATUS_TONES: Readonly<Record<GlanceImageStatus, StatusTone>> = {
  active: 'good',
  killed: 'bad',
  queued: 'busy',
  saving: 'busy',
  uploading: 'busy',
  importing: 'busy',
  deactivated: 'gone',
  pending_delete: 'gone',
  deleted: 'gone',
};

export function StatusBadge({ status }: { status: GlanceImageStatus }) {
  const { t } = useTranslation('dashboard');
  return (
    <span className={`badge status-badge status-${status} tone-${STATUS_TONES[status]}`} title={t(`status.${status}`)}>
      {status}
    </span>
  );
}

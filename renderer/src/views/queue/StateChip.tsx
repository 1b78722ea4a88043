// One chip per job that says its state at a glance, in colour and in words (with an icon for
// those who scan by shape): the phase, the server's image status where it adds something, and
// "Verified". Colour: done green, failed or killed red, paused and interrupted amber, running
// blue, waiting and cancelled grey (selectors.ts chipTone).
import { memo } from 'react';
import type { useTranslation } from 'react-i18next';
import type { ImageStatus, UploadPhase } from '../../../../shared/upload.ts';
import { chipTone, type ChipTone } from '../../store/selectors.ts';

const ICONS: Readonly<Record<UploadPhase, string>> = {
  queued: '⋯',
  checking: '↻',
  creating: '↻',
  uploading: '↑',
  paused: '‖',
  interrupted: '!',
  verifying: '↻',
  done: '✓',
  failed: '✕',
  cancelled: '⊘',
};

export const StateChip = memo(function StateChip(props: {
  /** The queue namespace's t, from the caller (a row has one translation hook for all its parts). */
  t: ReturnType<typeof useTranslation<'queue'>>['t'];
  phase: UploadPhase;
  imageStatus: ImageStatus | null;
  verified: boolean;
}) {
  const { t } = props;
  const tone: ChipTone = chipTone(props);
  return (
    <span className={`chip chip-${tone}`}>
      <span className="chip-icon" aria-hidden="true">
        {ICONS[props.phase]}
      </span>
      <span className="chip-part">{t(`phase.${props.phase}`)}</span>
      {props.imageStatus ? (
        <>
          <span className="chip-sep" aria-hidden="true">
            {' · '}
          </span>
          <span className="chip-part">{t('chip.image', { status: props.imageStatus })}</span>
        </>
      ) : null}
      {props.verified ? (
        <>
          <span className="chip-sep" aria-hidden="true">
            {' · '}
          </span>
          <span className="chip-part">{t('chip.verified')}</span>
        </>
      ) : null}
    </span>
  );
});

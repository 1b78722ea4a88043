// One polite live region for the whole queue: it says when a job changes phase (not every
// progress tick, which would drown a screen reader), and when jobs are added.
import { useEffect, useState } from 'react';
import { i18n } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';

export function PhaseAnnouncer() {
  const [message, setMessage] = useState('');
  useEffect(
    () =>
      useAppStore.subscribe((state, prev) => {
        if (state.uploads === prev.uploads || !prev.uploadsLoaded) return;
        const parts: string[] = [];
        let added = 0;
        for (const id of state.uploadOrder) {
          const now = state.uploads[id];
          const before = prev.uploads[id];
          if (!now || now === before) continue;
          if (!before) added += 1;
          else if (before.phase !== now.phase)
            parts.push(`${now.fileName}: ${i18n.t(`phase.${now.phase}`, { ns: 'queue' })}`);
        }
        if (added > 0) parts.unshift(i18n.t('announcer.added', { count: added }));
        if (parts.length > 0) setMessage(parts.join('. '));
      }),
    [],
  );
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}

// Errors (as main returned them, with their detail) and short notes of what just happened.
// Errors stay until dismissed; notes go away after a few seconds.
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/index.ts';
import type { Notice } from '../store/ui-slice.ts';

export const INFO_NOTICE_MS = 6000;

/** `children` is where other live regions (the phase announcer) sit, inside this landmark. */
export function Notices({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  const notices = useAppStore((s) => s.notices);
  return (
    <section className="notices" aria-label={t('notices.label')}>
      {children}
      {notices.map((notice) => (
        <NoticeItem key={notice.id} notice={notice} />
      ))}
    </section>
  );
}

function NoticeItem({ notice }: { notice: Notice }) {
  const { t } = useTranslation();
  const dismiss = useAppStore((s) => s.dismissNotice);
  useEffect(() => {
    if (notice.tone !== 'info') return;
    const timer = setTimeout(() => dismiss(notice.id), INFO_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      <p className="notice-message">{notice.message}</p>
      {notice.detail ? <p className="notice-detail">{notice.detail}</p> : null}
      <button
        type="button"
        className="link"
        onClick={() => dismiss(notice.id)}
        aria-label={t('notices.dismissLabel', { message: notice.message })}
      >
        {t('notices.dismiss')}
      </button>
    </div>
  );
}

// The queue's own question before a bulk command stops running jobs: Remove (cancel what still
// runs, then take every one of them out of the queue) and Cancel of the ticked rows. A native
// modal <dialog>: the rest of the page is inert while it is open, Escape declines, the safe
// choice has the focus, and the focus goes back where it was.
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { isFinished } from '../../../../shared/phases.ts';
import { cancelUploads } from '../../bridge.ts';
import { useAppStore } from '../../store/index.ts';
import type { QueueQuestion } from '../../store/uploads-slice.ts';
import { removeNow } from './queue-commands.ts';

export function QueueQuestionDialog() {
  const question = useAppStore((s) => s.queueQuestion);
  if (question === null) return null;
  return <Question question={question} />;
}

function Question({ question }: { question: QueueQuestion }) {
  const { t } = useTranslation('queue');
  const close = useAppStore((s) => s.closeQueueQuestion);
  const dialog = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const jobs = useAppStore(useShallow((s) => question.ids.map((id) => s.uploads[id]).filter((j) => j !== undefined)));
  const running = jobs.filter((j) => !isFinished(j.phase)).length;

  useEffect(() => {
    const el = dialog.current;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (el && !el.open) {
      if (typeof el.showModal === 'function') el.showModal();
      else el.setAttribute('open', '');
    }
    safe.current?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []);

  const confirm = () => {
    close();
    if (question.kind === 'remove') void removeNow(question.ids);
    else void cancelUploads(question.ids);
  };

  const remove = question.kind === 'remove';
  return (
    <dialog
      ref={dialog}
      className="dialog queue-question"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h2 id={titleId}>
        {remove ? t('question.removeTitle', { count: jobs.length }) : t('question.cancelTitle', { count: jobs.length })}
      </h2>
      <p>{remove ? t('question.removeBody', { count: running }) : t('question.cancelBody')}</p>
      <ul className="queue-question-list">
        {jobs.slice(0, 10).map((j) => (
          <li key={j.id}>
            <strong>{j.fileName}</strong> ({t(`phase.${j.phase}`)})
          </li>
        ))}
        {jobs.length > 10 ? <li>{t('question.more', { count: jobs.length - 10 })}</li> : null}
      </ul>
      <div className="dialog-actions">
        <button ref={safe} type="button" onClick={close}>
          {t('question.keep')}
        </button>
        <button type="button" className="danger" onClick={confirm}>
          {remove
            ? t('question.removeConfirm', { count: jobs.length })
            : t('question.cancelConfirm', { count: jobs.length })}
        </button>
      </div>
    </dialog>
  );
}

// Above the file cards: select all, expand or collapse every card, and "Remove blocked" (every
// file the inspector refused or could not read).
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { draftVerdict } from '../../store/draft-form.ts';
import { useAppStore } from '../../store/index.ts';

export function DraftToolbar() {
  const { t } = useTranslation('add');
  const order = useAppStore((s) => s.draftOrder);
  const selected = useAppStore((s) => s.selectedDrafts.length);
  const blocked = useAppStore(
    useShallow((s) =>
      s.draftOrder.filter((id) => {
        const d = s.drafts[id];
        return d !== undefined && draftVerdict(d, s.session).kind === 'blocked';
      }),
    ),
  );
  const setSelected = useAppStore((s) => s.setDraftsSelected);
  const setExpanded = useAppStore((s) => s.setDraftsExpanded);
  const removeBlocked = useAppStore((s) => s.removeBlockedDrafts);
  const notify = useAppStore((s) => s.notify);
  const all = useRef<HTMLInputElement>(null);
  const some = selected > 0 && selected < order.length;
  useEffect(() => {
    if (all.current) all.current.indeterminate = some;
  }, [some]);

  return (
    <div className="draft-toolbar" role="group" aria-label={t('toolbar.label')}>
      <label className="select-all">
        <input
          ref={all}
          type="checkbox"
          checked={order.length > 0 && selected === order.length}
          onChange={(e) => setSelected(order, e.target.checked)}
        />
        {t('toolbar.selectAll')}
      </label>
      <span className="muted" aria-live="polite">
        {t('toolbar.selected', { count: selected, total: order.length })}
      </span>
      <button type="button" onClick={() => setExpanded(order, true)}>
        {t('toolbar.expandAll')}
      </button>
      <button type="button" onClick={() => setExpanded(order, false)}>
        {t('toolbar.collapseAll')}
      </button>
      <button
        type="button"
        disabled={blocked.length === 0}
        onClick={() => {
          const count = removeBlocked();
          notify(t('toolbar.removedBlocked', { count }));
        }}
      >
        {t('toolbar.removeBlocked', { count: blocked.length })}
      </button>
    </div>
  );
}

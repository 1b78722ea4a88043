// One dropped or picked file: a head with its selection box, name, verdict and size, that opens
// on what the inspector found, whether it may be sent, and its metadata form (pre-filled from the
// file; IMS's fields on an IMS cloud, the import API's where the cloud offers it). Selects only
// its own draft.
import { memo, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../shared/format.ts';
import { CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES, type Visibility } from '../../../shared/glance.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import { CheckboxField, SelectField, TextField, options } from '../components/fields.tsx';
import {
  draftVerdict,
  isImsSession,
  offersImport,
  type Draft,
  type DraftForm,
  type FormProblems,
} from '../store/draft-form.ts';
import { minDiskRange } from '../store/draft-form.ims.ts';
import { messageText } from '../store/draft-message.ts';
import { useAppStore } from '../store/index.ts';
import { ImportFields } from './add/ImportFields.tsx';
import { ImsFields } from './add/ImsFields.tsx';
import { PropertiesEditor } from './add/PropertiesEditor.tsx';

export const DraftCard = memo(function DraftCard({ id }: { id: string }) {
  const { t } = useTranslation('add');
  const draft = useAppStore((s) => s.drafts[id]);
  const session = useAppStore((s) => s.session);
  const selected = useAppStore((s) => s.selectedDrafts.includes(id));
  const expanded = useAppStore((s) => s.expandedDrafts.includes(id));
  const removeDrafts = useAppStore((s) => s.removeDrafts);
  const setSelected = useAppStore((s) => s.setDraftsSelected);
  const setExpanded = useAppStore((s) => s.setDraftsExpanded);
  const titleId = useId();
  const bodyId = useId();
  if (!draft) return null;
  const verdict = draftVerdict(draft, session);
  const inspection = draft.inspection;
  const name = draft.fileName;
  const problemCount = verdict.kind === 'invalid' ? Object.keys(verdict.problems).length : 0;

  return (
    <li className={`draft draft-${verdict.kind}${expanded ? ' draft-open' : ''}`} aria-labelledby={titleId}>
      <div className="draft-head">
        <input
          type="checkbox"
          className="draft-select"
          checked={selected}
          onChange={(e) => setSelected([id], e.target.checked)}
          aria-label={t('card.select', { name })}
        />
        <h3 id={titleId} className="draft-title">
          {name}
        </h3>
        <span aria-live="polite">
          <VerdictBadge kind={verdict.kind} />
        </span>
        {inspection ? <span className="muted draft-size">{formatBytes(inspection.size)}</span> : null}
        {!expanded && problemCount > 0 ? (
          <span className="muted">{t('card.problems', { count: problemCount })}</span>
        ) : null}
        <span className="draft-head-actions">
          <button
            type="button"
            className="link"
            aria-expanded={expanded}
            aria-controls={expanded ? bodyId : undefined}
            aria-label={expanded ? t('card.collapseLabel', { name }) : t('card.editLabel', { name })}
            onClick={() => setExpanded([id], !expanded)}
          >
            {expanded ? t('card.collapse') : t('card.edit')}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => removeDrafts([id])}
            aria-label={t('card.removeLabel', { name })}
          >
            {t('card.remove')}
          </button>
        </span>
      </div>
      {expanded ? (
        <div id={bodyId} className="draft-body">
          <p className="muted path">{draft.path}</p>
          <dl className="facts facts-inline">
            <dt>{t('card.format')}</dt>
            <dd>
              {inspection ? inspection.format : '—'}
              {inspection?.subformat ? <span className="muted"> ({inspection.subformat})</span> : null}
            </dd>
            <dt>{t('card.virtualSize')}</dt>
            <dd>{formatBytes(inspection?.virtualSize)}</dd>
            <dt>{t('card.size')}</dt>
            <dd>{formatBytes(inspection?.size)}</dd>
          </dl>

          {verdict.kind === 'blocked' ? (
            <div className="error-box" aria-label={t('card.whyBlocked', { name })} role="group">
              <p className="error-message">{t('card.blocked')}</p>
              <ul>
                {verdict.reasons.map((r) => {
                  const text = messageText(r, t);
                  return <li key={text}>{text}</li>;
                })}
              </ul>
              {draft.error?.detail ? <p className="error-detail">{draft.error.detail}</p> : null}
            </div>
          ) : null}

          {verdict.kind === 'ready' || verdict.kind === 'invalid' ? (
            <>
              {verdict.warnings.length > 0 ? (
                <ul className="warning-list" aria-label={t('card.warningsFor', { name })}>
                  {verdict.warnings.map((w) => {
                    const text = messageText(w, t);
                    return <li key={text}>{text}</li>;
                  })}
                </ul>
              ) : null}
              <MetadataForm
                draft={draft}
                session={session}
                problems={verdict.kind === 'invalid' ? verdict.problems : {}}
              />
            </>
          ) : null}
        </div>
      ) : null}
    </li>
  );
});

function VerdictBadge({ kind }: { kind: ReturnType<typeof draftVerdict>['kind'] }) {
  const { t } = useTranslation('add');
  switch (kind) {
    case 'inspecting':
      return <span className="badge badge-pending">{t('verdict.inspecting')}</span>;
    case 'blocked':
      return <span className="badge badge-bad">{t('verdict.blocked')}</span>;
    case 'invalid':
      return <span className="badge badge-warn">{t('verdict.invalid')}</span>;
    case 'ready':
      return <span className="badge badge-good">{t('verdict.ready')}</span>;
  }
}

interface FormProps {
  draft: Draft;
  session: SessionInfo | null;
  problems: FormProblems;
}

function withCurrent(values: readonly string[], current: string): string[] {
  return current !== '' && !values.includes(current) ? [current, ...values] : [...values];
}

function MetadataForm({ draft, session, problems }: FormProps) {
  const { t } = useTranslation('add');
  const update = useAppStore((s) => s.updateDraftForm);
  const form = draft.form;
  const set = (patch: Partial<DraftForm>) => update(draft.id, patch);
  const caps = session?.capabilities;
  const ims = isImsSession(session) && session !== null;
  const importing = offersImport(session) && form.useImport;
  const diskFormats = withCurrent(
    caps && caps.diskFormats.length > 0 ? caps.diskFormats : DISK_FORMATS,
    form.diskFormat,
  );
  const containerFormats = withCurrent(
    caps && caps.containerFormats.length > 0 ? caps.containerFormats : CONTAINER_FORMATS,
    form.containerFormat,
  );
  const stores = caps?.stores ?? [];
  const defaultStore = stores.find((s) => s.isDefault);
  const problem = (field: keyof FormProblems) => {
    const p = problems[field];
    return p ? messageText(p, t) : undefined;
  };
  const range = ims ? minDiskRange(draft, session) : null;

  return (
    <fieldset className="metadata">
      <legend>{t('form.legend', { name: draft.fileName })}</legend>
      <div className="field-grid">
        <TextField
          label={t('form.name')}
          value={form.name}
          onChange={(name) => set({ name })}
          error={problem('name')}
          required
        />
        <SelectField
          label={t('form.diskFormat')}
          value={form.diskFormat}
          onChange={(diskFormat) => set({ diskFormat })}
          options={diskFormats.map((f) => ({
            value: f,
            label: f === draft.inspection?.diskFormat ? t('form.detected', { format: f }) : f,
          }))}
        />
        <SelectField
          label={t('form.containerFormat')}
          value={form.containerFormat}
          onChange={(containerFormat) => set({ containerFormat })}
          options={options(containerFormats)}
        />
        <SelectField
          label={t('form.visibility')}
          value={form.visibility}
          onChange={(v) => set({ visibility: v as Visibility })}
          options={VISIBILITIES.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
        />
        <TextField
          label={t('form.minDisk')}
          inputMode="numeric"
          value={form.minDisk}
          onChange={(minDisk) => set({ minDisk })}
          error={problem('minDisk')}
          hint={range ? t('ims.minDiskHint', range) : t('form.minDiskHint')}
        />
        <TextField
          label={t('form.minRam')}
          inputMode="numeric"
          value={form.minRam}
          onChange={(minRam) => set({ minRam })}
          error={problem('minRam')}
        />
        <TextField
          label={t('form.tags')}
          value={form.tags}
          onChange={(tags) => set({ tags })}
          hint={t('form.tagsHint')}
        />
        {stores.length > 1 && !importing && !ims ? (
          <SelectField
            label={t('form.store')}
            value={form.store}
            onChange={(store) => set({ store })}
            options={[
              {
                value: '',
                label: defaultStore ? t('form.defaultStoreNamed', { store: defaultStore.id }) : t('form.defaultStore'),
              },
              ...stores.map((s) => ({ value: s.id, label: s.description ? `${s.id}: ${s.description}` : s.id })),
            ]}
          />
        ) : null}
      </div>
      <CheckboxField
        label={t('form.protected')}
        checked={form.protected}
        onChange={(v) => set({ protected: v })}
        hint={t('form.protectedHint')}
      />
      {ims ? <ImsFields draft={draft} session={session} problems={problems} set={set} /> : null}
      {session && offersImport(session) ? <ImportFields form={form} session={session} set={set} /> : null}
      <PropertiesEditor
        rows={form.properties}
        error={problem('properties')}
        onChange={(properties) => set({ properties })}
        addLabel={t('properties.addTo', { name: draft.fileName })}
      />
    </fieldset>
  );
}

// One dropped or picked file: what the inspector found, whether it may be sent, and its
// metadata form (pre-filled from the file). Selects only its own draft.
import { memo, useId } from 'react';
import { formatBytes } from '../../../shared/format.ts';
import { CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES, type Visibility } from '../../../shared/glance.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import { CheckboxField, SelectField, TextField, options } from '../components/fields.tsx';
import { draftVerdict, type Draft, type DraftForm, type PropertyRow } from '../store/draft-form.ts';
import { useAppStore } from '../store/index.ts';

export const DraftCard = memo(function DraftCard({ id }: { id: string }) {
  const draft = useAppStore((s) => s.drafts[id]);
  const session = useAppStore((s) => s.session);
  const removeDrafts = useAppStore((s) => s.removeDrafts);
  const titleId = useId();
  if (!draft) return null;
  const verdict = draftVerdict(draft, session);
  const inspection = draft.inspection;

  return (
    <li className={`draft draft-${verdict.kind}`} aria-labelledby={titleId}>
      <div className="draft-head">
        <h3 id={titleId} className="draft-title">
          {draft.fileName}
        </h3>
        <button
          type="button"
          className="link"
          onClick={() => removeDrafts([id])}
          aria-label={`Remove ${draft.fileName}`}
        >
          Remove
        </button>
      </div>
      <p className="muted path">{draft.path}</p>
      <dl className="facts facts-inline">
        <dt>Format</dt>
        <dd>
          {inspection ? inspection.format : '—'}
          {inspection?.subformat ? <span className="muted"> ({inspection.subformat})</span> : null}
        </dd>
        <dt>Virtual size</dt>
        <dd>{formatBytes(inspection?.virtualSize)}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(inspection?.size)}</dd>
        <dt>Verdict</dt>
        <dd aria-live="polite">
          <VerdictBadge kind={verdict.kind} />
        </dd>
      </dl>

      {verdict.kind === 'blocked' ? (
        <div className="error-box" aria-label={`Why ${draft.fileName} is blocked`} role="group">
          <p className="error-message">Blocked: this file will not be uploaded.</p>
          <ul>
            {verdict.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          {draft.error?.detail ? <p className="error-detail">{draft.error.detail}</p> : null}
        </div>
      ) : null}

      {verdict.kind === 'ready' || verdict.kind === 'invalid' ? (
        <>
          {verdict.warnings.length > 0 ? (
            <ul className="warning-list" aria-label={`Warnings for ${draft.fileName}`}>
              {verdict.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <MetadataForm draft={draft} session={session} problems={verdict.kind === 'invalid' ? verdict.problems : {}} />
        </>
      ) : null}
    </li>
  );
});

function VerdictBadge({ kind }: { kind: ReturnType<typeof draftVerdict>['kind'] }) {
  switch (kind) {
    case 'inspecting':
      return <span className="badge badge-pending">Checking…</span>;
    case 'blocked':
      return <span className="badge badge-bad">Blocked</span>;
    case 'invalid':
      return <span className="badge badge-warn">Safe, form incomplete</span>;
    case 'ready':
      return <span className="badge badge-good">Safe</span>;
  }
}

interface FormProps {
  draft: Draft;
  session: SessionInfo | null;
  problems: Readonly<Partial<Record<'name' | 'minDisk' | 'minRam' | 'properties', string>>>;
}

function withCurrent(values: readonly string[], current: string): string[] {
  return current !== '' && !values.includes(current) ? [current, ...values] : [...values];
}

function MetadataForm({ draft, session, problems }: FormProps) {
  const update = useAppStore((s) => s.updateDraftForm);
  const form = draft.form;
  const set = (patch: Partial<DraftForm>) => update(draft.id, patch);
  const caps = session?.capabilities;
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

  return (
    <fieldset className="metadata">
      <legend>Image metadata for {draft.fileName}</legend>
      <div className="field-grid">
        <TextField label="Name" value={form.name} onChange={(name) => set({ name })} error={problems.name} required />
        <SelectField
          label="Disk format"
          value={form.diskFormat}
          onChange={(diskFormat) => set({ diskFormat })}
          options={diskFormats.map((f) => ({
            value: f,
            label: f === draft.inspection?.diskFormat ? `${f} (detected)` : f,
          }))}
        />
        <SelectField
          label="Container format"
          value={form.containerFormat}
          onChange={(containerFormat) => set({ containerFormat })}
          options={options(containerFormats)}
        />
        <SelectField
          label="Visibility"
          value={form.visibility}
          onChange={(v) => set({ visibility: v as Visibility })}
          options={options(VISIBILITIES)}
        />
        <TextField
          label="Minimum disk (GiB)"
          inputMode="numeric"
          value={form.minDisk}
          onChange={(minDisk) => set({ minDisk })}
          error={problems.minDisk}
          hint="Pre-filled from the virtual size, rounded up."
        />
        <TextField
          label="Minimum RAM (MiB)"
          inputMode="numeric"
          value={form.minRam}
          onChange={(minRam) => set({ minRam })}
          error={problems.minRam}
        />
        <TextField
          label="Tags"
          value={form.tags}
          onChange={(tags) => set({ tags })}
          hint="Separate tags with commas."
        />
        {stores.length > 1 ? (
          <SelectField
            label="Store"
            value={form.store}
            onChange={(store) => set({ store })}
            options={[
              { value: '', label: `Default${defaultStore ? ` (${defaultStore.id})` : ''}` },
              ...stores.map((s) => ({ value: s.id, label: s.description ? `${s.id}: ${s.description}` : s.id })),
            ]}
          />
        ) : null}
      </div>
      <CheckboxField
        label="Protected"
        checked={form.protected}
        onChange={(v) => set({ protected: v })}
        hint="A protected image cannot be deleted until this is turned off."
      />
      <PropertiesEditor
        rows={form.properties}
        error={problems.properties}
        onChange={(properties) => set({ properties })}
        fileName={draft.fileName}
      />
    </fieldset>
  );
}

function PropertiesEditor({
  rows,
  error,
  onChange,
  fileName,
}: {
  rows: readonly PropertyRow[];
  error: string | undefined;
  onChange(rows: PropertyRow[]): void;
  fileName: string;
}) {
  const errorId = useId();
  const replace = (index: number, patch: Partial<PropertyRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="properties" aria-describedby={error ? errorId : undefined}>
      <legend>Properties</legend>
      {rows.map((row, i) => (
        <div className="property-row" key={i}>
          <TextField label={`Property ${i + 1} key`} value={row.key} onChange={(key) => replace(i, { key })} />
          <TextField label={`Property ${i + 1} value`} value={row.value} onChange={(value) => replace(i, { value })} />
          <button
            type="button"
            className="link"
            aria-label={`Remove property ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        onClick={() => onChange([...rows, { key: '', value: '' }])}
        aria-label={`Add property to ${fileName}`}
      >
        Add property
      </button>
    </fieldset>
  );
}

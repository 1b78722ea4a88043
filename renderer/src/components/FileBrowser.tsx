// The file chooser of a page served by `imagedrop serve`: the browser's own dialog would show the
// viewer's machine, but the files are on the host. This modal lists the folders the host shares
// (--root), one folder at a time, each entry with its size and what the inspector says of it;
// the chosen files are granted by the core exactly as the app's native picker's answers are.
// Opened by bridge.pickFiles (disk images, several) and bridge.pickCaFile (one CA file).
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../shared/errors.ts';
import type { HostDirectory, HostEntry, HostRoot } from '../../../shared/ipc.ts';
import { cancelFileBrowser, chooseHostCaFile, chooseHostFiles, listHostDirectory, listHostRoots } from '../bridge.ts';
import { formatSize } from '../format/display.ts';
import { i18n } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import type { FileBrowserPurpose } from '../store/ui-slice.ts';
import { dialogKeyDown } from './dialog-focus.ts';

export function FileBrowser() {
  const purpose = useAppStore((s) => s.fileBrowser);
  if (purpose === null) return null;
  return <FileBrowserDialog purpose={purpose} />;
}

/** What the inspector said, in a few words. */
function verdictText(entry: HostEntry): { text: string; tone: 'good' | 'bad' | 'muted' } {
  const t = i18n.t;
  if (entry.kind === 'other')
    return {
      text: t('files.refused', { why: entry.refused ?? t('files.notRegular') }),
      tone: 'muted',
    };
  if (entry.kind === 'directory') return { text: t('files.folder'), tone: 'muted' };
  const check = entry.check;
  if (!check) return { text: t('files.notChecked'), tone: 'muted' };
  if (!check.ok) return { text: check.error.message, tone: 'bad' };
  const i = check.inspection;
  const what = `${i.format}${i.subformat && i.subformat !== 'none' ? ` (${i.subformat})` : ''}${
    i.virtualSize !== null ? t('files.virtualSize', { size: formatSize(i.virtualSize) }) : ''
  }`;
  if (i.safe) return { text: t('files.safe', { what }), tone: 'good' };
  return { text: t('files.blocked', { what, reasons: i.reasons.map((r) => r.message).join(' ') }), tone: 'bad' };
}

function FileBrowserDialog({ purpose }: { purpose: FileBrowserPurpose }) {
  const { t } = useTranslation();
  const dialogRef = useRef<HTMLDivElement>(null);
  const locationRef = useRef<HTMLParagraphElement>(null);
  const [roots, setRoots] = useState<readonly HostRoot[] | null>(null);
  const [listing, setListing] = useState<HostDirectory | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  /** Chosen files, across folders: path → name. */
  const [chosen, setChosen] = useState<ReadonlyMap<string, string>>(new Map());
  const [submitting, setSubmitting] = useState(false);
  const many = purpose === 'images';

  const open = useCallback(async (path: string) => {
    setLoading(true);
    const result = await listHostDirectory(path);
    setLoading(false);
    if (result.ok) {
      setListing(result.value);
      setError(null);
      locationRef.current?.focus();
    } else setError(result.error);
  }, []);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialogRef.current?.querySelector<HTMLElement>('h2')?.focus();
    let live = true;
    void listHostRoots().then((result) => {
      if (!live) return;
      if (!result.ok) {
        setLoading(false);
        setError(result.error);
        return;
      }
      setRoots(result.value);
      const first = result.value[0];
      if (first) void open(first.path);
      else setLoading(false);
    });
    return () => {
      live = false;
      if (previous && previous.isConnected) previous.focus();
    };
  }, [open]);

  function toggle(entry: HostEntry, on: boolean) {
    setChosen((before) => {
      const next = new Map(many ? before : []);
      if (on) next.set(entry.path, entry.name);
      else next.delete(entry.path);
      return next;
    });
  }

  async function submit() {
    const paths = [...chosen.keys()];
    if (paths.length === 0) return;
    setSubmitting(true);
    const result = many ? await chooseHostFiles(paths) : await chooseHostCaFile(paths[0]!);
    setSubmitting(false);
    if (!result.ok) setError(result.error);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    dialogKeyDown(event, dialogRef.current, cancelFileBrowser);
  }

  const title = many ? t('files.titleImages') : t('files.titleCa');
  const count = chosen.size;
  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        className="dialog file-browser"
        role="dialog"
        aria-modal="true"
        aria-labelledby="file-browser-title"
        aria-describedby="file-browser-about"
        onKeyDown={onKeyDown}
      >
        <h2 id="file-browser-title" tabIndex={-1}>
          {title}
        </h2>
        <p id="file-browser-about" className="field-hint">
          {t('files.about')}
        </p>
        {roots && roots.length > 1 ? (
          <nav aria-label={t('files.roots')} className="file-browser-roots">
            {roots.map((r) => (
              <button
                key={r.path}
                type="button"
                aria-current={listing?.root === r.path ? 'true' : undefined}
                onClick={() => void open(r.path)}
                title={r.path}
              >
                {r.name}
              </button>
            ))}
          </nav>
        ) : null}
        {roots && roots.length === 0 ? <p>{t('files.noRoots')}</p> : null}
        {listing ? (
          <div className="file-browser-location">
            <p id="file-browser-location" ref={locationRef} tabIndex={-1}>
              {t('files.location')} <code>{listing.path}</code>
            </p>
            <button
              type="button"
              disabled={listing.parent === null || loading}
              onClick={() => void open(listing.parent!)}
            >
              {t('files.up')}
            </button>
          </div>
        ) : null}
        {error ? (
          <p role="alert" className="file-browser-error">
            {error.message}
          </p>
        ) : null}
        {listing ? (
          <div className="table-wrap file-browser-list">
            <table className="images" aria-label={t('files.contents')} aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">{t('files.chooseColumn')}</span>
                  </th>
                  <th scope="col">{t('files.name')}</th>
                  <th scope="col">{t('files.size')}</th>
                  <th scope="col">{t('files.verdict')}</th>
                </tr>
              </thead>
              <tbody>
                {listing.entries.map((entry) => {
                  const verdict = verdictText(entry);
                  return (
                    <tr key={entry.path + entry.name}>
                      <td>
                        {entry.kind === 'file' ? (
                          <input
                            type={many ? 'checkbox' : 'radio'}
                            name="file-browser-choice"
                            aria-label={t('files.choose', { name: entry.name })}
                            checked={chosen.has(entry.path)}
                            onChange={(e) => toggle(entry, e.target.checked)}
                          />
                        ) : null}
                      </td>
                      <th scope="row">
                        {entry.kind === 'directory' ? (
                          <button
                            type="button"
                            className="link"
                            aria-label={t('files.openFolder', { name: entry.name })}
                            onClick={() => void open(entry.path)}
                          >
                            {entry.name}/
                          </button>
                        ) : (
                          entry.name
                        )}
                      </th>
                      <td className="file-size">{entry.kind === 'file' ? formatSize(entry.size) : ''}</td>
                      <td className={`verdict-${verdict.tone}`}>{verdict.text}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {listing.entries.length === 0 ? <p className="field-hint">{t('files.empty')}</p> : null}
            {listing.omitted > 0 ? (
              <p className="field-hint">{t('files.omitted', { count: listing.omitted })}</p>
            ) : null}
          </div>
        ) : loading ? (
          <p>{t('files.reading')}</p>
        ) : null}
        <div className="dialog-actions">
          <p className="file-browser-count" aria-live="polite">
            {many
              ? t('files.chosenCount', { count })
              : count
                ? t('files.chosenOne', { name: [...chosen.values()][0] ?? '' })
                : ''}
          </p>
          <button type="button" onClick={cancelFileBrowser}>
            {t('files.cancel')}
          </button>
          <button type="button" className="primary" disabled={count === 0 || submitting} onClick={() => void submit()}>
            {many ? t('files.add', { count }) : t('files.useCa')}
          </button>
        </div>
      </div>
    </div>
  );
}

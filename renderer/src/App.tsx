// The window: a header naming the cloud (with the switcher) and the session, tabs for the four
// views, the current view, the notices, the confirmation dialog, Preferences and the host file
// browser (imagedrop serve). While a dialog is open the rest of the page is inert. The whole
// window takes dropped files (DropOverlay) and answers the shortcuts the menu shows (shortcuts.ts).
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CloudSwitcher } from './components/CloudSwitcher.tsx';
import { ConfirmDialog } from './components/ConfirmDialog.tsx';
import { DropOverlay } from './components/DropOverlay.tsx';
import { FileBrowser } from './components/FileBrowser.tsx';
import { Notices } from './components/Notices.tsx';
import { PhaseAnnouncer } from './components/PhaseAnnouncer.tsx';
import { PreferencesDialog } from './components/PreferencesDialog.tsx';
import { handleShortcut } from './components/shortcuts.ts';
import { applyTheme } from './components/theme.ts';
import { useAppStore } from './store/index.ts';
import { VIEWS, type ViewName } from './store/ui-slice.ts';
import { AddImagesView } from './views/AddImagesView.tsx';
import { ConnectView } from './views/ConnectView.tsx';
import { DashboardView } from './views/DashboardView.tsx';
import { QueueView } from './views/QueueView.tsx';

export function App() {
  const { t } = useTranslation();
  const modal = useAppStore((s) => s.confirmation !== null || s.fileBrowser !== null || s.preferencesOpen);
  const theme = useAppStore((s) => s.theme);
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!event.defaultPrevented) handleShortcut(event);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
  return (
    <>
      <div className="app" inert={modal}>
        <header className="app-header">
          <h1 className="app-title">{t('appName')}</h1>
          <CloudSwitcher />
          <SessionBadge />
          <PreferencesButton />
        </header>
        <ViewTabs />
        <Notices>
          <PhaseAnnouncer />
        </Notices>
        <main className="app-main">
          <CurrentView />
        </main>
      </div>
      <DropOverlay />
      <ConfirmDialog />
      <PreferencesDialog />
      <FileBrowser />
    </>
  );
}

/** Preferences from the window itself (the menu and Ctrl/Cmd+, open it too; a browser has no menu). */
function PreferencesButton() {
  const { t } = useTranslation();
  const open = useAppStore((s) => s.openPreferences);
  return (
    <button
      type="button"
      className="link preferences-button"
      onClick={open}
      aria-keyshortcuts="Control+Comma Meta+Comma"
    >
      {t('preferences.open')}
    </button>
  );
}

/** Who and which project: the cloud itself is on the switcher. */
function SessionBadge() {
  const { t } = useTranslation();
  const session = useAppStore((s) => s.session);
  if (!session) return <p className="session-badge">{t('session.notConnected')}</p>;
  return (
    <p className="session-badge">
      {session.user.name} · {session.project.name}
      {session.region ? ` · ${session.region}` : ''}
    </p>
  );
}

/** WAI-ARIA tabs with automatic activation: arrows, Home and End move between views. */
function ViewTabs() {
  const { t } = useTranslation();
  const view = useAppStore((s) => s.view);
  const setView = useAppStore((s) => s.setView);
  const queueCount = useAppStore((s) => s.uploadOrder.length);
  const draftCount = useAppStore((s) => s.draftOrder.length);
  const refs = useRef(new Map<ViewName, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = VIEWS.indexOf(view);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (index + 1) % VIEWS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + VIEWS.length) % VIEWS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = VIEWS.length - 1;
    if (next === null) return;
    event.preventDefault();
    const target = VIEWS[next];
    if (target === undefined) return;
    setView(target);
    refs.current.get(target)?.focus();
  }

  const counts: Partial<Record<ViewName, number>> = { add: draftCount, queue: queueCount };
  return (
    <nav className="app-nav" aria-label={t('views.label')}>
      <div role="tablist" aria-label={t('views.label')} aria-orientation="horizontal" onKeyDown={onKeyDown}>
        {VIEWS.map((name) => {
          const count = counts[name];
          return (
            <button
              key={name}
              ref={(el) => {
                if (el) refs.current.set(name, el);
                else refs.current.delete(name);
              }}
              type="button"
              role="tab"
              id={`tab-${name}`}
              aria-selected={view === name}
              aria-controls={`panel-${name}`}
              tabIndex={view === name ? 0 : -1}
              onClick={() => setView(name)}
            >
              {t(`views.${name}`)}
              {/* The count is decoration: the tab's name stays stable ("Queue"), the view says how many. */}
              {count ? (
                <span className="tab-count" aria-hidden="true">
                  {' '}
                  ({count})
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
    </nav>
  );
}

function CurrentView() {
  const view = useAppStore((s) => s.view);
  return (
    <div role="tabpanel" id={`panel-${view}`} aria-labelledby={`tab-${view}`} className="panel">
      {view === 'connect' ? <ConnectView /> : null}
      {view === 'add' ? <AddImagesView /> : null}
      {view === 'queue' ? <QueueView /> : null}
      {view === 'dashboard' ? <DashboardView /> : null}
    </div>
  );
}

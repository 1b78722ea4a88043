// The header's cloud: which cloud, region and kind of image service (Glance or IMS) this window
// is on, and a menu of the known clouds (clouds.yaml, the environment, remembered connections).
// Choosing one connects to it directly: no disconnect first, and the uploads of the cloud left
// behind keep running there (main keeps each job on its own cloud). WAI-ARIA menu button: Enter,
// Space or the arrows open it, the arrows, Home and End move, Escape closes it.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import { connect, disconnect } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';

/** A cloud entry is the session's cloud when their names (and, for remembered ones, kinds) agree. */
function isCurrent(entry: CloudEntry, session: SessionInfo | null): boolean {
  return session !== null && session.cloud === entry.name;
}

export function CloudSwitcher() {
  const { t } = useTranslation();
  const session = useAppStore((s) => s.session);
  const clouds = useAppStore((s) => s.clouds);
  const connecting = useAppStore((s) => s.connection === 'connecting');
  const setView = useAppStore((s) => s.setView);
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const menuId = useId();

  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const inside = event.target instanceof Element && event.target.closest('.cloud-switcher');
      if (!inside) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  function openMenu(focus: 'first' | 'last' | 'current') {
    setOpen(true);
    // After the menu renders.
    setTimeout(() => {
      const all = items();
      const current = all.find((el) => el.getAttribute('aria-checked') === 'true');
      const el = focus === 'last' ? all.at(-1) : focus === 'current' ? (current ?? all[0]) : all[0];
      el?.focus();
    }, 0);
  }

  function closeMenu(refocus = true) {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  }

  function onButtonKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === 'ArrowDown' || event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      openMenu(event.key === 'ArrowDown' ? 'first' : 'current');
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      openMenu('last');
    }
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const all = items();
    const index = all.indexOf(document.activeElement as HTMLElement);
    let next: number | null = null;
    if (event.key === 'ArrowDown') next = (index + 1) % all.length;
    else if (event.key === 'ArrowUp') next = (index - 1 + all.length) % all.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = all.length - 1;
    else if (event.key === 'Escape') {
      event.preventDefault();
      closeMenu();
      return;
    } else if (event.key === 'Tab') {
      closeMenu(false);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    all[next]?.focus();
  }

  async function choose(entry: CloudEntry) {
    closeMenu();
    if (isCurrent(entry, session)) return;
    setTarget(entry.name);
    const done = await connect({
      kind: 'cloud',
      cloud: entry.name,
      ...(entry.source === 'remembered' ? { remembered: true } : {}),
    });
    setTarget((t) => (t === entry.name ? null : t));
    const state = useAppStore.getState();
    if (done) state.notify(t('switcher.switched', { cloud: entry.name }));
    else if (state.connectError && state.connectError.code !== 'auth/superseded' && state.session !== null)
      state.reportError(state.connectError, t('switcher.failed', { cloud: entry.name }));
  }

  const region = session?.region ?? t('switcher.defaultRegion');
  const kind = session ? t(`kind.${session.imageService.kind}`) : '';
  const cloudName = session ? (session.cloud ?? new URL(session.authUrl).host) : null;

  return (
    <div className="cloud-switcher">
      <button
        ref={buttonRef}
        type="button"
        className="cloud-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-busy={connecting || undefined}
        onClick={() => (open ? closeMenu() : openMenu('current'))}
        onKeyDown={onButtonKeyDown}
      >
        {connecting && target ? (
          t('switcher.connecting', { cloud: target })
        ) : session && cloudName ? (
          <>
            <span className="visually-hidden">{t('switcher.current', { cloud: cloudName, region, kind })}</span>
            <span aria-hidden="true">
              <span className="cloud-name">{cloudName}</span> <span className="cloud-region">{region}</span>{' '}
              <span className={`kind-badge kind-${session.imageService.kind}`} title={session.imageService.reason}>
                {kind}
              </span>
            </span>
          </>
        ) : (
          t('switcher.choose')
        )}
        <span className="cloud-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <ul ref={menuRef} id={menuId} role="menu" aria-label={t('switcher.menu')} onKeyDown={onMenuKeyDown}>
          {clouds.length === 0 ? (
            <li role="none" className="cloud-menu-note">
              {t('switcher.none')}
            </li>
          ) : null}
          {clouds.map((entry) => (
            <li
              key={`${entry.source}:${entry.name}`}
              role="menuitemradio"
              aria-checked={isCurrent(entry, session)}
              tabIndex={-1}
              onClick={() => void choose(entry)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  void choose(entry);
                }
              }}
            >
              <span className="cloud-check" aria-hidden="true">
                {isCurrent(entry, session) ? '✓' : ''}
              </span>
              <span className="cloud-name">{entry.name}</span>
              <span className="cloud-facts">
                {[entry.region ?? null, entry.imageService ? t(`kind.${entry.imageService}`) : null]
                  .filter((x) => x)
                  .join(' · ')}
              </span>
            </li>
          ))}
          <li role="separator" />
          <li
            role="menuitem"
            tabIndex={-1}
            onClick={() => {
              closeMenu();
              setView('connect');
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                closeMenu();
                setView('connect');
              }
            }}
          >
            {session ? t('switcher.details') : t('switcher.other')}
          </li>
          {session ? (
            <li
              role="menuitem"
              tabIndex={-1}
              onClick={() => {
                closeMenu();
                void disconnect();
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  closeMenu();
                  void disconnect();
                }
              }}
            >
              {t('switcher.disconnect')}
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}

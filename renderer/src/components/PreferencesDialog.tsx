// Preferences (Ctrl/Cmd+, or the menu): the language of every view and the colour theme. Both
// apply at once and are remembered in this browser profile.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES, LOCALE_NAMES, currentLocale, setLocale } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import { dialogKeyDown, useDialogFocus } from './dialog-focus.ts';
import { THEMES } from './theme.ts';

export function PreferencesDialog() {
  const open = useAppStore((s) => s.preferencesOpen);
  return open ? <PreferencesContent /> : null;
}

function PreferencesContent() {
  const { t } = useTranslation();
  const close = useAppStore((s) => s.closePreferences);
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  const dialogRef = useRef<HTMLDivElement>(null);
  const locale = currentLocale();
  useDialogFocus(dialogRef);
  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        className="dialog preferences"
        role="dialog"
        aria-modal="true"
        aria-labelledby="preferences-title"
        onKeyDown={(e) => dialogKeyDown(e, dialogRef.current, close)}
      >
        <h2 id="preferences-title">{t('preferences.title')}</h2>
        <fieldset className="radio-group">
          <legend>{t('preferences.language')}</legend>
          {LOCALES.map((l) => (
            <label key={l} lang={l}>
              <input type="radio" name="pref-language" checked={locale === l} onChange={() => void setLocale(l)} />
              {LOCALE_NAMES[l]}
            </label>
          ))}
        </fieldset>
        <fieldset className="radio-group">
          <legend>{t('preferences.theme')}</legend>
          {THEMES.map((th) => (
            <label key={th}>
              <input type="radio" name="pref-theme" checked={theme === th} onChange={() => setTheme(th)} />
              {t(`preferences.themes.${th}`)}
            </label>
          ))}
        </fieldset>
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={close}>
            {t('preferences.close')}
          </button>
        </div>
      </div>
    </div>
  );
}

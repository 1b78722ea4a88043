// Localisation: every string the views show comes from here, through i18next (react-i18next's
// useTranslation in components, `i18n.t` elsewhere). English and Simplified Chinese; the
// dictionaries live per view in locales/<locale>/<namespace>.ts, and the Chinese ones must have
// exactly the English keys and placeholders (i18n.test.ts). Dates, numbers and sizes are formatted
// for the current locale by format/display.ts, which asks currentLocale().
//
// The sentences the core builds (errors, preflight verdicts) stay in English: they are quoted in
// tickets and logs, and carry the server's own words.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_NS, NAMESPACES, RESOURCES } from './resources.ts';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each locale's name in its own language, for the switcher. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '简体中文' };

const STORAGE_KEY = 'imagedrop.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The saved choice, else the browser's language when it is Chinese, else English. */
export function preferredLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // Storage refused (a sandboxed page): fall through to the browser's language.
  }
  const languages = globalThis.navigator?.languages ?? [];
  return languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: RESOURCES,
  lng: 'en',
  fallbackLng: 'en',
  ns: [...NAMESPACES],
  defaultNS: DEFAULT_NS,
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  initAsync: false,
});

export function currentLocale(): Locale {
  return isLocale(i18n.language) ? i18n.language : 'en';
}

/** Switches the language of every view, and remembers it. */
export async function setLocale(locale: Locale, remember = true): Promise<void> {
  await i18n.changeLanguage(locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  if (!remember) return;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the choice still holds for this window.
  }
}

// The colour theme: as the system says (prefers-color-scheme), or light or dark by choice. The
// choice is data-theme on <html> (app.css has both palettes for it) and is remembered here.
export const THEMES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEMES)[number];

const STORAGE_KEY = 'imagedrop.theme';

export function isTheme(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/** The remembered choice, else 'system'. */
export function savedTheme(): ThemeChoice {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isTheme(saved)) return saved;
  } catch {
    // Storage refused (a sandboxed page): the system's scheme.
  }
  return 'system';
}

/** Puts the choice on <html> (none for 'system') and remembers it. */
export function applyTheme(theme: ThemeChoice, remember = true): void {
  if (typeof document !== 'undefined') {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }
  if (!remember) return;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, theme);
  } catch {
    // Not remembered; the choice still holds for this window.
  }
}

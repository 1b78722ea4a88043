// Every Chinese dictionary has exactly the English keys, no empty string, and the same
// {{placeholders}} in each sentence; and switching the language switches what t() answers.
import { afterEach, describe, expect, it } from 'vitest';
import { currentLocale, i18n, isLocale, setLocale } from './index.ts';
import { NAMESPACES, RESOURCES } from './resources.ts';

type Dict = { readonly [key: string]: string | Dict };

function flatten(dict: Dict, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(dict)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

afterEach(async () => {
  await setLocale('en', false);
});

describe('dictionaries', () => {
  for (const ns of NAMESPACES) {
    it(`${ns}: zh-CN has the English keys and placeholders`, () => {
      const en = flatten(RESOURCES.en[ns] as Dict);
      const zh = flatten(RESOURCES['zh-CN'][ns] as Dict);
      expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
      for (const [key, text] of en) {
        const translated = zh.get(key) ?? '';
        expect(translated.trim(), `${ns}:${key} is empty`).not.toBe('');
        expect(placeholders(translated), `${ns}:${key}`).toEqual(placeholders(text));
      }
    });
  }
});

describe('switching', () => {
  it('answers in the chosen language and says which it is', async () => {
    expect(i18n.t('views.queue')).toBe('Queue');
    await setLocale('zh-CN', false);
    expect(currentLocale()).toBe('zh-CN');
    expect(i18n.t('views.queue')).toBe('队列');
    expect(isLocale('fr')).toBe(false);
  });
});

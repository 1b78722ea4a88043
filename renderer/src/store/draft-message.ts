// A sentence the Add images form shows: either one of the `add` namespace's messages (built here,
// so translated), or a text the core wrote (the inspector's reasons, main's errors), which stays
// in English as every core sentence does.
import type { TFunction } from 'i18next';
import type { add } from '../i18n/locales/en/add.ts';

export type MessageKey = `messages.${keyof typeof add.messages & string}`;

export type DraftMessage =
  { readonly key: MessageKey; readonly values?: Readonly<Record<string, string | number>> } | { readonly text: string };

/** The sentence in the current language (`t` from useTranslation('add')). */
export function messageText(message: DraftMessage, t: TFunction<'add'>): string {
  if ('text' in message) return message.text;
  return (t as unknown as (key: string, values?: Record<string, unknown>) => string)(message.key, message.values);
}

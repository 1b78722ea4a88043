// The dictionaries, by locale and namespace. One namespace per view (and `common` for the shell),
// so each view's strings live beside each other. i18next's types read the English ones: a key
// that does not exist is a type error.
import { add as addEn } from './locales/en/add.ts';
import { common as commonEn } from './locales/en/common.ts';
import { add as addZh } from './locales/zh-CN/add.ts';
import { common as commonZh } from './locales/zh-CN/common.ts';
import { connect as connectEn } from './locales/en/connect.ts';
import { connect as connectZh } from './locales/zh-CN/connect.ts';
import { dashboard as dashboardEn } from './locales/en/dashboard.ts';
import { dashboard as dashboardZh } from './locales/zh-CN/dashboard.ts';
import { queue as queueEn } from './locales/en/queue.ts';
import { queue as queueZh } from './locales/zh-CN/queue.ts';

export const DEFAULT_NS = 'common';

export const RESOURCES = {
  en: { common: commonEn, add: addEn, connect: connectEn, dashboard: dashboardEn, queue: queueEn },
  'zh-CN': { common: commonZh, add: addZh, connect: connectZh, dashboard: dashboardZh, queue: queueZh },
} as const;

export const NAMESPACES = Object.keys(RESOURCES.en) as (keyof (typeof RESOURCES)['en'])[];

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: typeof DEFAULT_NS;
    resources: (typeof RESOURCES)['en'];
    returnNull: false;
  }
}

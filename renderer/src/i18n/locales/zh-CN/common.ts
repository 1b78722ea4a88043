import type { common as en } from '../en/common.ts';
import type { Translation } from '../types.ts';

export const common: Translation<typeof en> = {
  appName: 'Imagedrop',
  views: { label: '视图', connect: '连接', add: '添加镜像', queue: '队列', dashboard: '仪表板' },
  session: { notConnected: '未连接' },
  language: '语言',
};

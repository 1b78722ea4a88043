// The window's own strings: header, view tabs, notices, dialogs, the host file browser.
export const common = {
  appName: 'Imagedrop',
  views: { label: 'Views', connect: 'Connect', add: 'Add images', queue: 'Queue', dashboard: 'Dashboard' },
  session: { notConnected: 'Not connected' },
  language: 'Language',
} as const;

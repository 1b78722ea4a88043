// A date as the dashboard shows it: relative ("3h ago") with the exact time as its tooltip and in
// its machine-readable dateTime.
import { useTranslation } from 'react-i18next';
import { formatExactTime, formatRelativeTime } from '../../format/relative-time.ts';

export function RelativeTime({ value, now }: { value: string | number | null; now: number }) {
  const { i18n } = useTranslation('dashboard');
  const t = typeof value === 'number' ? value : value ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) return <span>—</span>;
  const exact = formatExactTime(t, i18n.language);
  return (
    <time dateTime={new Date(t).toISOString()} title={exact}>
      {formatRelativeTime(t, now, i18n.language)}
    </time>
  );
}

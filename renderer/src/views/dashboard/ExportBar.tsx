// Export of what the dashboard lists (the images after its filters) and of this app's upload
// history, as CSV or JSON: main writes the text, the page saves it as a file.
import { useTranslation } from 'react-i18next';
import { exportDashboard } from '../../bridge.ts';
import { useAppStore } from '../../store/index.ts';

export function ExportBar({ listedIds }: { listedIds: readonly string[] }) {
  const { t } = useTranslation('dashboard');
  const exporting = useAppStore((s) => s.exporting);
  const connected = useAppStore((s) => s.session !== null);
  return (
    <div className="toolbar export-bar" role="group" aria-label={t('export.label')}>
      <span className="toolbar-label" aria-hidden="true">
        {exporting ? t('export.exporting') : t('export.label')}
      </span>
      <button
        type="button"
        disabled={exporting || !connected}
        onClick={() => void exportDashboard({ what: 'images', format: 'csv', imageIds: listedIds })}
      >
        {t('export.imagesCsv')}
      </button>
      <button
        type="button"
        disabled={exporting || !connected}
        onClick={() => void exportDashboard({ what: 'images', format: 'json', imageIds: listedIds })}
      >
        {t('export.imagesJson')}
      </button>
      <button
        type="button"
        disabled={exporting}
        onClick={() => void exportDashboard({ what: 'history', format: 'csv' })}
      >
        {t('export.historyCsv')}
      </button>
      <button
        type="button"
        disabled={exporting}
        onClick={() => void exportDashboard({ what: 'history', format: 'json' })}
      >
        {t('export.historyJson')}
      </button>
    </div>
  );
}

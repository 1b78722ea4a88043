// The whole window takes dropped files, not only the Add images zone: while files are dragged
// over it an overlay says so, and a drop adds them to Add images and switches to it. The paths
// come from the preload as for the zone (bridge.dropFiles → pathForFile, which grants each one):
// nothing else reaches main. A drop the zone already took is left to it; while a dialog is open
// nothing is added (the browser is still kept from opening the file).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dropFiles } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer !== null && [...event.dataTransfer.types].includes('Files');
}

function dialogOpen(): boolean {
  const s = useAppStore.getState();
  return s.confirmation !== null || s.fileBrowser !== null || s.preferencesOpen;
}

export function DropOverlay() {
  const { t } = useTranslation();
  const [over, setOver] = useState(false);

  useEffect(() => {
    // dragenter and dragleave come for every element crossed: count them.
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      if (!dialogOpen()) setOver(true);
    };
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault(); // without it the browser refuses the drop (or opens the file)
      if (event.dataTransfer) event.dataTransfer.dropEffect = dialogOpen() ? 'none' : 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setOver(false);
      if (!hasFiles(event) || event.defaultPrevented) return; // the Add images zone took it
      event.preventDefault();
      if (dialogOpen()) return;
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      useAppStore.getState().setView('add');
      void dropFiles(files);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div className="drop-overlay-box">
        <p className="drop-overlay-title">{t('drop.title')}</p>
        <p>{t('drop.hint')}</p>
      </div>
    </div>
  );
}

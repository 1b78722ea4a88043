// Renderer entry: mounts React and wires the store to window.imagedrop once (connectBridge).
// It must not import electron, Node modules or electron/**: the renderer only knows the contract
// in shared/ipc.ts, and only bridge.ts touches the window API.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { hasApi } from './bridge.ts';
import { preferredLocale, setLocale } from './i18n/index.ts';
import { connectBridge } from './store/connect-bridge.ts';
import './app.css';

void setLocale(preferredLocale(), false);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);

if (hasApi()) {
  connectBridge();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
} else {
  root.render(
    <main className="app-main">
      <h1>Imagedrop cannot start</h1>
      <p role="alert">
        The connection to the Imagedrop core is missing. Start Imagedrop from its application launcher.
      </p>
    </main>,
  );
}

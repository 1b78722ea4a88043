// Where Imagedrop keeps its files. The app passes Electron's userData folder; the CLI and tests
// compute the same place (or IMAGEDROP_DATA_DIR) without Electron.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Imagedrop';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.IMAGEDROP_DATA_DIR) return env.IMAGEDROP_DATA_DIR;
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}

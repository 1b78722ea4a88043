// What `imagedrop serve` keeps of passwords when it runs under plain Node (the CLI): nothing. It
// has no keychain to encrypt them with, and Imagedrop never writes a secret in plain text, so it
// refuses "Remember this connection" exactly as the app does on a system without a keychain.
// Connections the app remembered are listed (profiles.json is shared), but their secrets are
// encrypted by the app's keychain: connecting with one asks for the password instead. Forget works:
// it removes the entry and the app's ciphertext of the secret (no key is needed to delete it).
// `imagedrop serve` from the installed app uses the app's keychain store instead, and remembers.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomic-file.ts';
import type { SecretStore } from '../core/remembered-connections.ts';
import { ImagedropError } from '../errors.ts';

/** The app's userData/secrets.json (electron/main/shell/secrets.ts writes it): key → base64 ciphertext. */
interface SecretsFile {
  readonly version: 1;
  readonly secrets: Record<string, string>;
}

export class NoKeychainSecretStore implements SecretStore {
  readonly file: string;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  isAvailable(): boolean {
    return false;
  }

  async save(): Promise<void> {
    throw new ImagedropError(
      'serve/no-keychain',
      'imagedrop serve has no keychain here to keep the password encrypted, so it did not remember it (start serve from the installed app to remember connections).',
    );
  }

  async load(key: string): Promise<string | null> {
    const label = key.replace(/^profile:/, '');
    throw new ImagedropError(
      'serve/no-keychain',
      `The password of '${label}' is kept encrypted by the desktop app's keychain, which imagedrop serve cannot open here: enter the details with the password instead.`,
    );
  }

  /** Removes the app's ciphertext of this secret, if there is one; the file is otherwise left as it was. */
  async delete(key: string): Promise<void> {
    const run = async () => {
      let data: SecretsFile;
      try {
        data = JSON.parse(await readFile(this.file, 'utf8')) as SecretsFile;
      } catch {
        return; // no file, or one the app will set aside itself: nothing of ours to remove
      }
      if (data?.version !== 1 || typeof data.secrets !== 'object' || data.secrets === null) return;
      if (!(key in data.secrets)) return;
      const secrets = { ...data.secrets };
      delete secrets[key];
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, secrets }, null, 1));
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => {});
    return next;
  }
}

// The app's SecretStore: remembered passwords and application-credential secrets, encrypted with
// Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) and kept as base64 ciphertext in
// userData/secrets.json. No plaintext secret is ever written, and Linux's "basic_text" backend
// (a key built into Chromium, so not secret) counts as no encryption at all.
import { safeStorage } from 'electron';
import { readFile, rename } from 'node:fs/promises';
import { ImagedropError } from '../errors.ts';
import { writeFileAtomic } from '../files/atomic-file.ts';
import type { SecretStore } from '../core/remembered-connections.ts';

interface SecretsFile {
  readonly version: 1;
  /** key → base64 of safeStorage's ciphertext */
  readonly secrets: Record<string, string>;
}

function parseSecretsFile(text: string): Record<string, string> {
  const data = JSON.parse(text) as Partial<SecretsFile> | null;
  const out: Record<string, string> = {};
  if (data && data.version === 1 && data.secrets && typeof data.secrets === 'object') {
    for (const [k, v] of Object.entries(data.secrets)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export class SafeStorageSecretStore implements SecretStore {
  readonly file: string;
  readonly #platform: NodeJS.Platform;
  #available = false;
  #secrets: Record<string, string> | null = null;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string, platform: NodeJS.Platform = process.platform) {
    this.file = file;
    this.#platform = platform;
  }

  /** Call once the app is ready: asks the OS whether it can encrypt. */
  async init(): Promise<void> {
    let available = await safeStorage.isAsyncEncryptionAvailable();
    if (available && this.#platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      available = false;
    }
    this.#available = available;
  }

  isAvailable(): boolean {
    return this.#available;
  }

  async save(key: string, secret: string): Promise<void> {
    if (!this.#available) {
      throw new ImagedropError(
        'internal',
        'This system offers no secure storage for passwords (no keychain), so Imagedrop did not remember it.',
      );
    }
    const ciphertext = await safeStorage.encryptStringAsync(secret);
    await this.#update((secrets) => {
      secrets[key] = ciphertext.toString('base64');
    });
  }

  async load(key: string): Promise<string | null> {
    if (!this.#available) return null;
    const encoded = (await this.#read())[key];
    if (encoded === undefined) return null;
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(encoded, 'base64'));
      if (shouldReEncrypt) await this.save(key, result);
      return result;
    } catch {
      return null; // the keychain's key changed or was reset: the secret is gone, ask again
    }
  }

  async delete(key: string): Promise<void> {
    if ((await this.#read())[key] === undefined) return;
    await this.#update((secrets) => {
      delete secrets[key];
    });
  }

  async #read(): Promise<Record<string, string>> {
    if (this.#secrets) return this.#secrets;
    let secrets: Record<string, string>;
    try {
      secrets = parseSecretsFile(await readFile(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        // Damaged or unreadable: set it aside rather than let the next save overwrite every
        // secret in it with just the new one.
        await rename(this.file, `${this.file}.unreadable-${Date.now()}`).catch(() => {});
      }
      secrets = {};
    }
    this.#secrets ??= secrets;
    return this.#secrets;
  }

  /** Changes the map and writes it (0600, atomically), one write at a time. */
  #update(change: (secrets: Record<string, string>) => void): Promise<void> {
    const run = async () => {
      const secrets = await this.#read();
      change(secrets);
      const data: SecretsFile = { version: 1, secrets };
      await writeFileAtomic(this.file, JSON.stringify(data, null, 1));
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => {});
    return next;
  }
}

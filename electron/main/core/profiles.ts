// Connections typed into the Connect view that the user asked to remember. Everything but the
// secret lives in profiles.json; the password or application-credential secret goes to the
// SecretStore (Electron's safeStorage: the OS keychain), and nowhere else.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type { ConnectRequest } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import type { CloudConfig } from '../openstack/cloud-config.ts';
import { DEFAULT_IMS_NATIVE_LIMIT, DEFAULT_SIZE_LIMIT, imageServiceFromAuthUrl } from '../openstack/cloud-config.ts';
import { SerialWriter, whyUnwritable } from '../files/atomic-file.ts';

/** Where remembered secrets are kept. The app's is safeStorage; tests use memory. */
export interface SecretStore {
  /** False when the OS offers no encryption (then nothing is remembered). */
  isAvailable(): boolean;
  save(key: string, secret: string): Promise<void>;
  load(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}

export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, string>();
  isAvailable(): boolean {
    return true;
  }
  async save(key: string, secret: string): Promise<void> {
    this.#secrets.set(key, secret);
  }
  async load(key: string): Promise<string | null> {
    return this.#secrets.get(key) ?? null;
  }
  async delete(key: string): Promise<void> {
    this.#secrets.delete(key);
  }
}

const profileSchema = z.object({
  label: z.string().min(1),
  authUrl: z.string().min(1),
  authType: z.enum(['password', 'application-credential']),
  username: z.string().optional(),
  userDomainName: z.string().optional(),
  projectName: z.string().optional(),
  projectDomainName: z.string().optional(),
  applicationCredentialId: z.string().optional(),
  applicationCredentialName: z.string().optional(),
  regionName: z.string().optional(),
  interface: z.enum(['public', 'internal', 'admin']).optional(),
  cacertPath: z.string().optional(),
});

export type Profile = z.infer<typeof profileSchema>;

/** The CloudConfig of a Connect-view request (no clouds.yaml involved). */
export function configFromManual(request: Extract<ConnectRequest, { kind: 'manual' }>, name: string): CloudConfig {
  const a = request.auth;
  const urlProblem = authUrlProblem(request.authUrl);
  if (urlProblem) throw new ImagedropError('config/invalid', `The auth URL ${urlProblem}.`);
  const plainHttp = plainHttpWarning(request.authUrl, a.type);
  const base = {
    name,
    source: 'the Connect view',
    authUrl: request.authUrl,
    interface: request.interface ?? ('public' as const),
    verify: true,
    sizeLimit: DEFAULT_SIZE_LIMIT,
    nativeUploadLimit: DEFAULT_IMS_NATIVE_LIMIT,
    imageService: imageServiceFromAuthUrl(request.authUrl),
    warnings: plainHttp ? [plainHttp] : [],
    ...(request.regionName ? { regionName: request.regionName } : {}),
    ...(request.cacertPath ? { cacertPath: request.cacertPath } : {}),
  };
  if (a.type === 'password') {
    return {
      ...base,
      auth: {
        type: 'password',
        username: a.username,
        password: a.password,
        userDomainName: a.userDomainName ?? 'Default',
      },
      scope: { projectName: a.projectName, projectDomainName: a.projectDomainName ?? 'Default' },
    };
  }
  if (!a.applicationCredentialId && !(a.applicationCredentialName && a.username)) {
    throw new ImagedropError(
      'config/missing-field',
      'Give the application credential ID, or its name and your user name.',
    );
  }
  return {
    ...base,
    auth: {
      type: 'application-credential',
      secret: a.secret,
      ...(a.applicationCredentialId ? { id: a.applicationCredentialId } : {}),
      ...(a.applicationCredentialName ? { name: a.applicationCredentialName } : {}),
      ...(a.username ? { username: a.username } : {}),
      ...(a.userDomainName ? { userDomainName: a.userDomainName } : {}),
    },
    scope: {},
  };
}

export class Profiles {
  readonly #file: string;
  readonly #secrets: SecretStore;
  readonly #writer: SerialWriter;
  #profiles: Profile[] | null = null;

  constructor(file: string, secrets: SecretStore) {
    this.#file = file;
    this.#secrets = secrets;
    this.#writer = new SerialWriter(file, () => {});
  }

  async list(): Promise<Profile[]> {
    if (this.#profiles) return this.#profiles;
    try {
      const parsed = z.array(profileSchema).safeParse(JSON.parse(await readFile(this.#file, 'utf8')));
      this.#profiles = parsed.success ? parsed.data : [];
    } catch {
      this.#profiles = [];
    }
    return this.#profiles;
  }

  async get(label: string): Promise<Profile | undefined> {
    return (await this.list()).find((p) => p.label === label);
  }

  /**
   * Remembers a manual connection: the details in profiles.json, the secret in the SecretStore.
   * `configured` are the names of the clouds clouds.yaml and the environment define: a remembered
   * connection never takes one of those names, so that choosing a cloud by name is never ambiguous.
   * Rejects (and keeps nothing) when the connection could not be remembered.
   */
  async remember(
    label: string,
    request: Extract<ConnectRequest, { kind: 'manual' }>,
    configured: readonly string[] = [],
  ): Promise<void> {
    if (configured.includes(label)) {
      throw new ImagedropError(
        'config/invalid',
        `A cloud in clouds.yaml (or the environment) is already named '${label}': remember this connection under another label.`,
      );
    }
    if (!this.#secrets.isAvailable()) {
      throw new ImagedropError(
        'internal',
        'This system offers no secure storage for passwords (no keychain), so Imagedrop did not remember the connection.',
      );
    }
    const a = request.auth;
    const profile: Profile = {
      label,
      authUrl: request.authUrl,
      authType: a.type,
      ...(request.regionName ? { regionName: request.regionName } : {}),
      ...(request.interface ? { interface: request.interface } : {}),
      ...(request.cacertPath ? { cacertPath: request.cacertPath } : {}),
      ...(a.type === 'password'
        ? {
            username: a.username,
            userDomainName: a.userDomainName,
            projectName: a.projectName,
            projectDomainName: a.projectDomainName,
          }
        : {
            applicationCredentialId: a.applicationCredentialId,
            applicationCredentialName: a.applicationCredentialName,
            username: a.username,
            userDomainName: a.userDomainName,
          }),
    };
    const before = await this.list();
    const previousSecret = await this.#secrets.load(`profile:${label}`);
    await this.#secrets.save(`profile:${label}`, a.type === 'password' ? a.password : a.secret);
    this.#profiles = [...before.filter((p) => p.label !== label), JSON.parse(JSON.stringify(profile)) as Profile];
    try {
      await this.#save();
    } catch (e) {
      // Not remembered after all: the list and the keychain go back to what they were.
      this.#profiles = before;
      if (previousSecret === null) await this.#secrets.delete(`profile:${label}`).catch(() => undefined);
      else await this.#secrets.save(`profile:${label}`, previousSecret).catch(() => undefined);
      throw e;
    }
  }

  /** Writes profiles.json; a failure is an error that names the file and why. */
  async #save(): Promise<void> {
    try {
      await this.#writer.write(() => JSON.stringify(this.#profiles, null, 1));
    } catch (e) {
      throw new ImagedropError(
        'data/unwritable',
        `Imagedrop could not write ${this.#file} (${whyUnwritable(e)}): make its folder writable, or set IMAGEDROP_DATA_DIR to a folder you can write.`,
        { detail: this.#file, cause: e },
      );
    }
  }

  /** Forgets a remembered connection: its entry in profiles.json and its secret. False if there was none. */
  async forget(label: string): Promise<boolean> {
    const profiles = await this.list();
    const kept = profiles.filter((p) => p.label !== label);
    // The secret goes even when the entry is already gone (a write that failed half-way before).
    await this.#secrets.delete(`profile:${label}`);
    if (kept.length === profiles.length) return false;
    this.#profiles = kept;
    try {
      await this.#save();
    } catch (e) {
      this.#profiles = profiles; // still listed, as it still is in the file
      throw e;
    }
    return true;
  }

  /** The config of the remembered connection `label`; an error when there is none. */
  async requireConfig(label: string): Promise<CloudConfig> {
    const config = await this.config(label);
    if (!config) {
      throw new ImagedropError(
        'config/cloud-not-found',
        `No connection is remembered as '${label}': it may have been forgotten; connect with its details again.`,
      );
    }
    return config;
  }

  /** The full config of a remembered connection, with its secret from the SecretStore. */
  async config(label: string): Promise<CloudConfig | null> {
    const p = await this.get(label);
    if (!p) return null;
    const secret = await this.#secrets.load(`profile:${label}`);
    if (secret === null) {
      throw new ImagedropError(
        'config/missing-field',
        `The secret of the remembered connection '${label}' is no longer in this system's keychain: connect with it again.`,
      );
    }
    const request: Extract<ConnectRequest, { kind: 'manual' }> = {
      kind: 'manual',
      authUrl: p.authUrl,
      remember: false,
      ...(p.regionName ? { regionName: p.regionName } : {}),
      ...(p.interface ? { interface: p.interface } : {}),
      ...(p.cacertPath ? { cacertPath: p.cacertPath } : {}),
      auth:
        p.authType === 'password'
          ? {
              type: 'password',
              username: p.username ?? '',
              password: secret,
              projectName: p.projectName ?? '',
              ...(p.userDomainName ? { userDomainName: p.userDomainName } : {}),
              ...(p.projectDomainName ? { projectDomainName: p.projectDomainName } : {}),
            }
          : {
              type: 'application-credential',
              secret,
              ...(p.applicationCredentialId ? { applicationCredentialId: p.applicationCredentialId } : {}),
              ...(p.applicationCredentialName ? { applicationCredentialName: p.applicationCredentialName } : {}),
              ...(p.username ? { username: p.username } : {}),
              ...(p.userDomainName ? { userDomainName: p.userDomainName } : {}),
            },
    };
    return { ...configFromManual(request, label), source: 'a remembered connection' };
  }
}

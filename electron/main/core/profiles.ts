// Connections typed into the Connect view that the user asked to remember. Everything but the
// secrets lives in profiles.json; the password or application-credential secret (and, for an IMS
// cloud, the access key pair with its security token) goes to the SecretStore (Electron's
// safeStorage: the OS keychain), and nowhere else.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type {
  AccessKeyPair,
  GlanceManualRequest,
  ImsManualRequest,
  ManualConnectRequest,
} from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import type { CloudConfig } from '../openstack/cloud-config.ts';
import {
  DEFAULT_IMS_NATIVE_LIMIT,
  DEFAULT_SIZE_LIMIT,
  imageServiceFromAuthUrl,
  resolveCloud,
} from '../openstack/cloud-config.ts';
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
  /** Absent: Glance (profiles remembered before IMS connections could be typed in). */
  imageService: z.enum(['glance', 'ims']).optional(),
  authType: z.enum(['password', 'application-credential', 'access-key']),
  username: z.string().optional(),
  userDomainName: z.string().optional(),
  projectName: z.string().optional(),
  projectDomainName: z.string().optional(),
  applicationCredentialId: z.string().optional(),
  applicationCredentialName: z.string().optional(),
  regionName: z.string().optional(),
  interface: z.enum(['public', 'internal', 'admin']).optional(),
  cacertPath: z.string().optional(),
  // IMS only (the access key itself is a secret: in the SecretStore with the secret key).
  accountName: z.string().optional(),
  projectId: z.string().optional(),
  obsBucket: z.string().optional(),
  imageEndpointOverride: z.string().optional(),
  obsEndpointOverride: z.string().optional(),
});

/** What the SecretStore keeps for a remembered IMS connection (as JSON under the profile's key). */
const imsSecretsSchema = z.object({
  password: z.string().optional(),
  accessKey: z.string().optional(),
  secretKey: z.string().optional(),
  securityToken: z.string().optional(),
});

export type Profile = z.infer<typeof profileSchema>;

/** The CloudConfig of a Connect-view request (no clouds.yaml involved). */
export function configFromManual(request: ManualConnectRequest, name: string): CloudConfig {
  if (request.imageService === 'ims') return imsConfigFromManual(request, name);
  return glanceConfigFromManual(request, name);
}

/**
 * An IMS cloud typed in: the same CloudConfig its clouds.yaml entry would give (resolveCloud reads
 * the same keys), with none of the environment's S3_* keys mixed in: what was typed is what is used.
 */
function imsConfigFromManual(request: ImsManualRequest, name: string): CloudConfig {
  const urlProblem = authUrlProblem(request.authUrl);
  if (urlProblem) throw new ImagedropError('config/invalid', `The auth URL ${urlProblem}.`);
  const a = request.auth;
  const keys = request.accessKeys;
  const raw: Record<string, unknown> = {
    auth: {
      auth_url: request.authUrl,
      ...(a.type === 'password' ? { username: a.username, password: a.password, user_domain_name: a.accountName } : {}),
      ...(request.projectName ? { project_name: request.projectName } : {}),
      ...(request.projectId ? { project_id: request.projectId } : {}),
    },
    image_service: 'ims',
    ...(request.regionName ? { region_name: request.regionName } : {}),
    ...(request.obsBucket ? { obs_bucket: request.obsBucket } : {}),
    ...(request.imageEndpointOverride ? { image_endpoint_override: request.imageEndpointOverride } : {}),
    ...(request.obsEndpointOverride ? { obs_endpoint_override: request.obsEndpointOverride } : {}),
    ...(request.cacertPath ? { cacert: request.cacertPath } : {}),
    ...(keys
      ? {
          ak: keys.accessKey,
          sk: keys.secretKey,
          ...(keys.securityToken ? { security_token: keys.securityToken } : {}),
        }
      : {}),
  };
  if (a.type === 'access-key' && !keys) {
    throw new ImagedropError(
      'config/missing-field',
      'Without a password, give the access key (AK) and secret key (SK): every IMS call is signed with them.',
    );
  }
  const config = resolveCloud(name, raw, 'the Connect view', undefined, { env: {} });
  return {
    ...config,
    imageService: { kind: 'ims', reason: 'chosen in the Connect view (Huawei Cloud IMS)', inferred: false },
  };
}

function glanceConfigFromManual(request: GlanceManualRequest, name: string): CloudConfig {
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
  async remember(label: string, request: ManualConnectRequest, configured: readonly string[] = []): Promise<void> {
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
    const { profile, secret } =
      request.imageService === 'ims' ? imsProfile(label, request) : glanceProfile(label, request);
    const before = await this.list();
    const previousSecret = await this.#secrets.load(`profile:${label}`);
    await this.#secrets.save(`profile:${label}`, secret);
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
    const request = p.imageService === 'ims' ? imsRequestOf(p, secret) : glanceRequestOf(p, secret);
    return { ...configFromManual(request, label), source: 'a remembered connection' };
  }
}

/** profiles.json's entry and the secret to keep for a Glance connection. */
function glanceProfile(label: string, request: GlanceManualRequest): { profile: Profile; secret: string } {
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
  return { profile, secret: a.type === 'password' ? a.password : a.secret };
}

/** An IMS connection: everything but the password and the access key pair in profiles.json. */
function imsProfile(label: string, request: ImsManualRequest): { profile: Profile; secret: string } {
  const a = request.auth;
  const keys = request.accessKeys;
  const profile: Profile = {
    label,
    authUrl: request.authUrl,
    imageService: 'ims',
    authType: a.type,
    ...(a.type === 'password' ? { username: a.username, accountName: a.accountName } : {}),
    ...(request.projectName ? { projectName: request.projectName } : {}),
    ...(request.projectId ? { projectId: request.projectId } : {}),
    ...(request.regionName ? { regionName: request.regionName } : {}),
    ...(request.obsBucket ? { obsBucket: request.obsBucket } : {}),
    ...(request.imageEndpointOverride ? { imageEndpointOverride: request.imageEndpointOverride } : {}),
    ...(request.obsEndpointOverride ? { obsEndpointOverride: request.obsEndpointOverride } : {}),
    ...(request.cacertPath ? { cacertPath: request.cacertPath } : {}),
  };
  const secrets: z.infer<typeof imsSecretsSchema> = {
    ...(a.type === 'password' ? { password: a.password } : {}),
    ...(keys ? { accessKey: keys.accessKey, secretKey: keys.secretKey } : {}),
    ...(keys?.securityToken ? { securityToken: keys.securityToken } : {}),
  };
  return { profile, secret: JSON.stringify(secrets) };
}

function glanceRequestOf(p: Profile, secret: string): GlanceManualRequest {
  return {
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
}

function imsRequestOf(p: Profile, secret: string): ImsManualRequest {
  let parsed: z.infer<typeof imsSecretsSchema>;
  try {
    parsed = imsSecretsSchema.parse(JSON.parse(secret));
  } catch {
    throw new ImagedropError(
      'config/missing-field',
      `The secrets of the remembered connection '${p.label}' in this system's keychain cannot be read: connect with it again.`,
    );
  }
  const keys: AccessKeyPair | undefined =
    parsed.accessKey && parsed.secretKey
      ? {
          accessKey: parsed.accessKey,
          secretKey: parsed.secretKey,
          ...(parsed.securityToken ? { securityToken: parsed.securityToken } : {}),
        }
      : undefined;
  return {
    kind: 'manual',
    imageService: 'ims',
    authUrl: p.authUrl,
    remember: false,
    auth:
      p.authType === 'password'
        ? {
            type: 'password',
            username: p.username ?? '',
            password: parsed.password ?? '',
            accountName: p.accountName ?? '',
          }
        : { type: 'access-key' },
    ...(p.projectName ? { projectName: p.projectName } : {}),
    ...(p.projectId ? { projectId: p.projectId } : {}),
    ...(p.regionName ? { regionName: p.regionName } : {}),
    ...(keys ? { accessKeys: keys } : {}),
    ...(p.obsBucket ? { obsBucket: p.obsBucket } : {}),
    ...(p.imageEndpointOverride ? { imageEndpointOverride: p.imageEndpointOverride } : {}),
    ...(p.obsEndpointOverride ? { obsEndpointOverride: p.obsEndpointOverride } : {}),
    ...(p.cacertPath ? { cacertPath: p.cacertPath } : {}),
  };
}

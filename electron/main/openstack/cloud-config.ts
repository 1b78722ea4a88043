// Cloud configuration the way OpenStack users already keep it: clouds.yaml + secure.yaml searched
// where openstacksdk searches, OS_CLOUD, and plain OS_* variables as an openrc sets them. The cloud
// is chosen as openstackclient chooses it: --cloud NAME, else OS_CLOUD, else the OS_* variables.
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type { EndpointInterface, ImageServiceChoice } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import { readCappedFile } from './capped-file.ts';

/**
 * 128 GiB, the issue's "128 GB": Glance's own docs name binary sizes that way (image_size_cap's
 * default, 1099511627776 bytes, is "1 TB" there). Glance's default cap is that 1 TiB; a cloud can
 * set its real cap with image_size_limit.
 */
export const DEFAULT_SIZE_LIMIT = 128 * 1024 ** 3;

/**
 * Huawei Cloud IMS takes a native `PUT /v2/images/{id}/file` only for images "smaller than 2 GB"
 * (landscape.md §0.1; OTC's docs still say 128 GB): a cloud can set its own with
 * ims_native_upload_limit.
 */
export const DEFAULT_IMS_NATIVE_LIMIT = 2 * 1024 ** 3;

export type AuthMethod =
  | {
      readonly type: 'password';
      readonly username?: string;
      readonly userId?: string;
      readonly password: string;
      readonly userDomainName?: string;
      readonly userDomainId?: string;
    }
  | {
      readonly type: 'application-credential';
      readonly id?: string;
      readonly name?: string;
      readonly secret: string;
      readonly username?: string;
      readonly userId?: string;
      readonly userDomainName?: string;
      readonly userDomainId?: string;
    }
  | { readonly type: 'token'; readonly token: string }
  /**
   * Huawei Cloud with only an access key: no Keystone sign-in at all, every IMS call is signed
   * with the cloud's AccessKeys (APIG's SDK-HMAC-SHA256), and the project id is looked up.
   */
  | { readonly type: 'access-key' };

export interface ProjectScope {
  readonly projectName?: string;
  readonly projectId?: string;
  readonly projectDomainName?: string;
  readonly projectDomainId?: string;
  /**
   * Huawei IAM: the project is named after its region and belongs to the user's account, so the
   * scope names no domain (as IAM's own examples do). Keystone proper would refuse that.
   */
  readonly projectInUserDomain?: boolean;
}

/** An access key pair (AK/SK), permanent or temporary (with its security token). Secrets: main only. */
export interface AccessKeys {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
  /** Where they came from, for messages ('clouds.yaml', 'S3_ACCESS_KEY_ID in the environment'). */
  readonly source: string;
}

/** Everything needed to sign in to one cloud. Holds secrets: it never leaves the main process. */
export interface CloudConfig {
  readonly name: string;
  /** Where the settings came from, for messages: a file path, 'environment', or a label. */
  readonly source: string;
  readonly authUrl: string;
  readonly auth: AuthMethod;
  readonly scope: ProjectScope;
  readonly regionName?: string;
  readonly interface: EndpointInterface;
  readonly cacertPath?: string;
  readonly verify: boolean;
  readonly sizeLimit: number;
  /** openstacksdk's `image_endpoint_override`: use this image endpoint instead of the catalog's. */
  readonly imageEndpointOverride?: string;
  /** Glance or Huawei IMS, and why: `image_service`, else inferred from clear evidence, else Glance. */
  readonly imageService: ImageServiceChoice;
  /** `ak`/`sk` (or `access_key`/`secret_key`, `security_token`), else S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY. */
  readonly accessKeys?: AccessKeys;
  /** The default OBS bucket for images on their way to IMS (`obs_bucket`). */
  readonly obsBucket?: string;
  /** `obs_endpoint_override`: the OBS (S3) endpoint instead of the catalog's `object` one. */
  readonly obsEndpointOverride?: string;
  /** IMS only: the largest file the native `PUT /v2/images/{id}/file` may carry, exclusive. */
  readonly nativeUploadLimit: number;
  /**
   * Imagedrop's `image_storage_quota`: the project's image quota in bytes where the image service
   * does not say it (Glance's legacy user_storage_quota is in no API). Absent: unknown.
   */
  readonly storageQuota?: number;
  readonly warnings: readonly string[];
}

type Raw = Record<string, unknown>;

export interface ConfigEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
}

/**
 * The folders openstacksdk searches, in its order (first file found wins): its CONFIG_SEARCH_PATH
 * (openstack/config/loader.py) of the current folder, platformdirs' user config folder,
 * ~/.config/openstack, platformdirs' site config folder, /etc/openstack.
 */
export function configSearchDirs(environment: ConfigEnvironment): string[] {
  const home = environment.home ?? os.homedir();
  const platform = environment.platform ?? process.platform;
  const env = environment.env;
  const unixUser = path.join(env.SNAP_REAL_HOME ?? home, '.config', 'openstack');
  let userDir: string;
  let siteDir: string | null;
  if (platform === 'darwin') {
    userDir = path.join(home, 'Library', 'Application Support', 'openstack');
    siteDir = '/Library/Application Support/openstack';
  } else if (platform === 'win32') {
    userDir = path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'OpenStack', 'openstack');
    siteDir = path.join(env.PROGRAMDATA ?? 'C:\\ProgramData', 'OpenStack', 'openstack');
  } else {
    userDir = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'openstack');
    // platformdirs (multipath) joins several XDG_CONFIG_DIRS entries into one path that never
    // exists, so openstacksdk only ever finds a site folder when there is a single entry.
    const xdgDirs = (env.XDG_CONFIG_DIRS?.trim() || '/etc/xdg').split(':');
    siteDir = xdgDirs.length === 1 ? path.join(xdgDirs[0]!, 'openstack') : null;
  }
  const dirs = [environment.cwd, userDir, unixUser, siteDir, '/etc/openstack'].filter((d) => d !== null);
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}

function candidates(environment: ConfigEnvironment, base: 'clouds' | 'secure', envVar: string): string[] {
  const files: string[] = [];
  const explicit = environment.env[envVar];
  if (explicit) files.push(explicit);
  for (const dir of configSearchDirs(environment)) {
    for (const suffix of ['.yaml', '.yml', '.json']) files.push(path.join(dir, base + suffix));
  }
  return files;
}

/** clouds.yaml and secure.yaml hold a few clouds: a few KiB. Capped like a CA file. */
export const MAX_CONFIG_FILE_BYTES = 1 << 20;

/** Reads the first existing file of a list. A file that exists but cannot be read or parsed is an error. */
async function loadFirst(files: readonly string[]): Promise<{ file: string; data: Raw } | null> {
  for (const file of files) {
    const read = await readCappedFile(file, MAX_CONFIG_FILE_BYTES);
    if (!read.ok) {
      const { problem } = read;
      if (problem.kind === 'unreadable') {
        const code = problem.error.code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw new ImagedropError(
          'config/unreadable',
          `${file} cannot be read (${code ?? 'error'}): check its permissions.`,
          { detail: file },
        );
      }
      throw new ImagedropError(
        'config/unreadable',
        problem.kind === 'not-a-file'
          ? `${file} is not a regular file (${problem.what}): it should be the YAML file of your clouds.`
          : `${file} is larger than ${MAX_CONFIG_FILE_BYTES >> 20} MiB, far more than a cloud configuration holds, so Imagedrop did not read it: check that it is the cloud configuration you meant.`,
        { detail: file },
      );
    }
    const text = read.text;
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (e) {
      throw new ImagedropError(
        'config/invalid',
        `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}. Fix the file and try again.`,
        { detail: file },
      );
    }
    if (data === null || data === undefined) data = {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw new ImagedropError('config/invalid', `${file} must hold a mapping with a "clouds" key.`, { detail: file });
    }
    return { file, data: data as Raw };
  }
  return null;
}

function asRecord(value: unknown): Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

/** Deep merge of plain mappings; `over` wins. */
function merge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b)
        ? merge(b as Raw, v as Raw)
        : v;
  }
  return out;
}

export interface CloudsFile {
  readonly file: string | null;
  readonly secureFile: string | null;
  readonly clouds: Readonly<Record<string, Raw>>;
}

/** Loads clouds.yaml and secure.yaml (merged per cloud), or empty when neither exists. */
export async function loadCloudsFile(environment: ConfigEnvironment): Promise<CloudsFile> {
  const main = await loadFirst(candidates(environment, 'clouds', 'OS_CLIENT_CONFIG_FILE'));
  const secure = await loadFirst(candidates(environment, 'secure', 'OS_CLIENT_SECURE_FILE'));
  const clouds = asRecord(main?.data.clouds);
  const secureClouds = asRecord(secure?.data.clouds);
  const merged: Record<string, Raw> = {};
  // openstacksdk merges the two files whole: a cloud may even live in secure.yaml alone.
  for (const name of new Set([...Object.keys(clouds), ...Object.keys(secureClouds)]))
    merged[name] = merge(asRecord(clouds[name]), asRecord(secureClouds[name]));
  return { file: main?.file ?? null, secureFile: secure?.file ?? null, clouds: merged };
}

/** The OS_* variables openstackclient reads, as clouds.yaml keys. */
const ENV_AUTH_KEYS: Readonly<Record<string, string>> = {
  OS_AUTH_URL: 'auth_url',
  OS_USERNAME: 'username',
  OS_USER_ID: 'user_id',
  OS_PASSWORD: 'password',
  OS_PROJECT_NAME: 'project_name',
  OS_TENANT_NAME: 'project_name',
  OS_PROJECT_ID: 'project_id',
  OS_TENANT_ID: 'project_id',
  OS_USER_DOMAIN_NAME: 'user_domain_name',
  OS_USER_DOMAIN_ID: 'user_domain_id',
  OS_PROJECT_DOMAIN_NAME: 'project_domain_name',
  OS_PROJECT_DOMAIN_ID: 'project_domain_id',
  OS_DOMAIN_NAME: 'domain_name',
  OS_DOMAIN_ID: 'domain_id',
  OS_APPLICATION_CREDENTIAL_ID: 'application_credential_id',
  OS_APPLICATION_CREDENTIAL_NAME: 'application_credential_name',
  OS_APPLICATION_CREDENTIAL_SECRET: 'application_credential_secret',
  OS_TOKEN: 'token',
};
const ENV_TOP_KEYS: Readonly<Record<string, string>> = {
  OS_REGION_NAME: 'region_name',
  OS_INTERFACE: 'interface',
  OS_ENDPOINT_TYPE: 'interface',
  OS_CACERT: 'cacert',
  OS_AUTH_TYPE: 'auth_type',
  OS_INSECURE: 'insecure',
  OS_IMAGE_SIZE_LIMIT: 'image_size_limit',
  OS_IMAGE_ENDPOINT_OVERRIDE: 'image_endpoint_override',
  OS_IMAGE_STORAGE_QUOTA: 'image_storage_quota',
};

function fromEnvironment(env: NodeJS.ProcessEnv): Raw | null {
  const auth: Raw = {};
  const top: Raw = {};
  for (const [variable, key] of Object.entries(ENV_AUTH_KEYS)) if (env[variable]) auth[key] ??= env[variable];
  for (const [variable, key] of Object.entries(ENV_TOP_KEYS)) if (env[variable]) top[key] ??= env[variable];
  if (Object.keys(auth).length === 0 && Object.keys(top).length === 0) return null;
  return { ...top, auth };
}

export interface ChooseCloudOptions extends ConfigEnvironment {
  /** --cloud NAME */
  readonly cloud?: string;
}

/**
 * The cloud the user means, chosen as openstackclient does: --cloud, then OS_CLOUD, then the
 * OS_* variables alone. OS_* variables also override the chosen cloud's values, as they do in OSC.
 */
export async function chooseCloud(options: ChooseCloudOptions): Promise<CloudConfig> {
  const name = options.cloud ?? options.env.OS_CLOUD;
  const envCloud = fromEnvironment(options.env);
  if (!name) {
    if (!envCloud) {
      const file = await loadCloudsFile(options);
      const names = Object.keys(file.clouds);
      throw new ImagedropError(
        'config/cloud-not-found',
        names.length > 0
          ? `No cloud chosen: pass --cloud NAME or set OS_CLOUD (${file.file} has ${names.join(', ')}).`
          : 'No cloud chosen: pass --cloud NAME with a clouds.yaml, set OS_CLOUD, or source an openrc that sets OS_AUTH_URL.',
      );
    }
    return resolveCloud(options.env.OS_CLOUD_NAME ?? 'envvars', envCloud, 'environment', undefined, {
      envKeys: new Set(Object.keys(envCloud)),
      env: options.env,
    });
  }
  const file = await loadCloudsFile(options);
  const raw = file.clouds[name];
  if (!raw) {
    const where = file.file ? `${file.file}` : `any clouds.yaml (searched ${configSearchDirs(options).join(', ')})`;
    const known = Object.keys(file.clouds);
    throw new ImagedropError(
      'config/cloud-not-found',
      `There is no cloud named '${name}' in ${where}${known.length ? `; it has ${known.join(', ')}` : ''}.`,
      { detail: file.file ?? undefined },
    );
  }
  return resolveCloud(
    name,
    envCloud ? merge(raw, envCloud) : raw,
    file.file ?? file.secureFile ?? 'clouds.yaml',
    file.file && file.secureFile ? file.secureFile : undefined,
    { envKeys: new Set(Object.keys(envCloud ?? {})), env: options.env },
  );
}

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** '128GB', '2 GiB', '1073741824' → bytes. */
export function parseSize(value: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)b?\s*$/i.exec(value);
  if (!m) return null;
  const power = ' kmgtp'.indexOf((m[2] || ' ').toLowerCase());
  const base = m[3] ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** power);
}

/**
 * A quota as glance-api.conf writes user_storage_quota ('4GB', '500MB', '1073741824': its units are
 * powers of 1024), so that the value can be copied from there; '4GiB' and '4.5 GiB' work too.
 * Null when it is not a size. 0 means no quota, as in Glance.
 */
export function parseQuota(value: string): number | null {
  const glance = /^\s*(\d+)\s*([KMGT]?)B?\s*$/i.exec(value);
  if (glance) return Number(glance[1]) * 1024 ** ' KMGT'.indexOf((glance[2] || ' ').toUpperCase());
  return parseSize(value);
}

function normalizeInterface(value: string | undefined, name: string, source: string): EndpointInterface {
  if (value === undefined) return 'public';
  const v = value.replace(/URL$/, '').toLowerCase();
  if (v === 'public' || v === 'internal' || v === 'admin') return v;
  throw new ImagedropError(
    'config/invalid',
    `Cloud '${name}' in ${source} has interface '${value}': use public, internal or admin.`,
    { detail: source },
  );
}

/** keystoneauth plugin names (auth_type) Imagedrop signs in with, by the method they mean. */
const AUTH_TYPES: Readonly<Record<string, Exclude<AuthMethod['type'], 'access-key'>>> = {
  password: 'password',
  v3password: 'password',
  token: 'token',
  v3token: 'token',
  v3applicationcredential: 'application-credential',
  applicationcredential: 'application-credential',
  application_credential: 'application-credential',
};

/**
 * IAM hosts of the clouds that run Huawei's IMS: Huawei Cloud (international, Europe, China), Open
 * Telekom Cloud (and its Swiss twin), Orange's Flexible Engine. The first label starts with "iam".
 */
const HUAWEI_IAM_DOMAINS: readonly { readonly pattern: RegExp; readonly cloud: string }[] = [
  { pattern: /(^|\.)myhuaweicloud\.(com|eu|cn)$/, cloud: 'Huawei Cloud' },
  { pattern: /(^|\.)huaweicloud\.com$/, cloud: 'Huawei Cloud' },
  { pattern: /(^|\.)otc\.t-systems\.com$/, cloud: 'Open Telekom Cloud' },
  { pattern: /(^|\.)prod-cloud-ocb\.orange-business\.com$/, cloud: 'Flexible Engine' },
];

/** 'Huawei Cloud' when the URL is one of the IAM hosts above, else null. */
export function huaweiIamCloud(authUrl: string): string | null {
  let host: string;
  try {
    host = new URL(authUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  if (!host.startsWith('iam')) return null;
  return HUAWEI_IAM_DOMAINS.find((d) => d.pattern.test(host))?.cloud ?? null;
}

/**
 * openstacksdk's vendor profile 'otc' (openstack/config/vendors/otc.json) gives the auth URL as
 * https://iam.{region_name}.otc.t-systems.com/v3; python-otcextensions users lean on it.
 */
const PROFILE_AUTH_URLS: Readonly<Record<string, string>> = {
  otc: 'https://iam.{region_name}.otc.t-systems.com/v3',
};

/** Profiles whose clouds run IMS. */
const IMS_PROFILES = new Set(['otc']);

/**
 * A Huawei project name is its region ('cn-north-4'), or a sub-project of it ('cn-north-4_build'):
 * the region is the part before the first underscore.
 */
export function regionOfProjectName(projectName: string): string {
  return projectName.split('_')[0]!;
}

/** The environment variables python-otcextensions reads for the AK/SK when a cloud has none. */
const ENV_ACCESS_KEY = ['OS_ACCESS_KEY', 'S3_ACCESS_KEY_ID'] as const;
const ENV_SECRET_KEY = ['OS_SECRET_KEY', 'S3_SECRET_ACCESS_KEY'] as const;
const ENV_SECURITY_TOKEN = ['OS_SECURITY_TOKEN', 'S3_SECURITY_TOKEN'] as const;

function firstEnv(env: Readonly<Record<string, string | undefined>>, names: readonly string[]) {
  for (const n of names) if (env[n]) return { name: n, value: env[n] };
  return null;
}

export interface ResolveOptions {
  /** The top-level settings that OS_* variables gave, so that a warning names them. */
  readonly envKeys?: ReadonlySet<string>;
  /** The process environment, for the AK/SK variables python-otcextensions reads. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Turns one cloud's raw settings into a CloudConfig, naming the cloud, field and file in every
 * error. `secureSource` is the secure.yaml merged into it, if any, named too when a field is missing.
 */
export function resolveCloud(
  name: string,
  raw: Raw,
  source: string,
  secureSource?: string,
  options: ResolveOptions = {},
): CloudConfig {
  const envKeys = options.envKeys ?? new Set<string>();
  const auth = asRecord(raw.auth);
  const files = secureSource ? `${source} (with ${secureSource})` : source;
  const missing = (field: string, hint = `add it to the cloud's settings`) =>
    new ImagedropError('config/missing-field', `Cloud '${name}' in ${files} has no ${field}: ${hint}.`, {
      detail: `${files}: clouds.${name}.${field}`,
    });
  const invalid = (field: string, sentence: string) =>
    new ImagedropError('config/invalid', `Cloud '${name}' in ${source} has ${sentence}.`, {
      detail: `${source}: clouds.${name}.${field}`,
    });
  const profile = (str(raw, 'profile') ?? str(raw, 'cloud'))?.toLowerCase();
  let region = str(raw, 'region_name');
  let authUrl = str(auth, 'auth_url');
  const profileUrl = profile ? PROFILE_AUTH_URLS[profile] : undefined;
  if (!authUrl && profileUrl && region) authUrl = profileUrl.replace('{region_name}', region);
  if (!authUrl) {
    throw missing(
      'auth.auth_url',
      profileUrl ? `add it, or region_name so that profile '${profile}' can make it` : `add it to the cloud's settings`,
    );
  }
  const imageService = chooseImageService(raw, authUrl, profile, source, invalid);
  const ims = imageService.kind === 'ims';

  const urlProblem = authUrlProblem(authUrl);
  if (urlProblem) {
    throw new ImagedropError('config/invalid', `Cloud '${name}' in ${source}: its auth_url ${urlProblem}.`, {
      detail: `${source}: clouds.${name}.auth.auth_url`,
    });
  }
  const authTypeRaw = str(raw, 'auth_type');
  const authType = authTypeRaw === undefined ? undefined : AUTH_TYPES[authTypeRaw.toLowerCase()];
  if (authTypeRaw !== undefined && !authType) {
    throw invalid(
      'auth_type',
      `auth_type '${authTypeRaw}', which Imagedrop does not support: use password, token or v3applicationcredential (or leave it out)`,
    );
  }
  const domainName = str(auth, 'domain_name');
  const domainId = str(auth, 'domain_id');
  const userDomainName = str(auth, 'user_domain_name') ?? domainName;
  const userDomainId = str(auth, 'user_domain_id') ?? domainId;
  const userFields = {
    ...(str(auth, 'username') ? { username: str(auth, 'username')! } : {}),
    ...(str(auth, 'user_id') ? { userId: str(auth, 'user_id')! } : {}),
    ...(userDomainName ? { userDomainName } : {}),
    ...(userDomainId ? { userDomainId } : {}),
  };
  const accessKeys = readAccessKeys(raw, source, options.env ?? {}, missing);

  let method: AuthMethod;
  const appCredSecret = str(auth, 'application_credential_secret');
  const hasSignIn =
    authType !== undefined ||
    appCredSecret !== undefined ||
    str(auth, 'token') !== undefined ||
    str(auth, 'password') !== undefined ||
    userFields.username !== undefined ||
    userFields.userId !== undefined;
  // Without auth_type, the fields say which method is meant.
  const kind =
    authType ??
    (appCredSecret
      ? 'application-credential'
      : str(auth, 'token') && !str(auth, 'password')
        ? 'token'
        : ims && !hasSignIn && accessKeys
          ? 'access-key'
          : 'password');
  if (kind === 'access-key') {
    method = { type: 'access-key' };
  } else if (kind === 'application-credential') {
    if (!appCredSecret) throw missing('auth.application_credential_secret', 'add it (secure.yaml is a good place)');
    const id = str(auth, 'application_credential_id');
    const credName = str(auth, 'application_credential_name');
    if (!id && !credName) throw missing('auth.application_credential_id', 'give the id, or a name and the user');
    if (!id && !userFields.username && !userFields.userId)
      throw missing('auth.username', 'an application credential given by name needs its user');
    method = {
      type: 'application-credential',
      secret: appCredSecret,
      ...(id ? { id } : {}),
      ...(credName ? { name: credName } : {}),
      ...userFields,
    };
  } else if (kind === 'token') {
    const token = str(auth, 'token');
    if (!token) throw missing('auth.token');
    method = { type: 'token', token };
  } else {
    const password = str(auth, 'password');
    if (!userFields.username && !userFields.userId)
      throw missing(
        'auth.username',
        ims
          ? 'add the IAM user name and password, or an access key (ak and sk) for a cloud without a password'
          : `add it to the cloud's settings`,
      );
    if (!password) throw missing('auth.password', 'add it, for example in secure.yaml or as OS_PASSWORD');
    // Huawei IAM has no 'Default' domain: a user name means something only inside its account.
    if (ims && !userFields.userId && !userDomainName && !userDomainId)
      throw missing(
        'auth.user_domain_name',
        'add the account name (the Huawei Cloud account the IAM user belongs to) as user_domain_name',
      );
    method = { type: 'password', password, ...userFields };
  }

  const projectName = str(auth, 'project_name') ?? str(auth, 'tenant_name') ?? (ims ? region : undefined);
  const projectId = str(auth, 'project_id') ?? str(auth, 'tenant_id');
  const projectDomainName = str(auth, 'project_domain_name') ?? domainName;
  const projectDomainId = str(auth, 'project_domain_id') ?? domainId;
  const scope: ProjectScope = {
    ...(projectName ? { projectName } : {}),
    ...(projectId ? { projectId } : {}),
    ...(projectDomainName ? { projectDomainName } : {}),
    ...(projectDomainId ? { projectDomainId } : {}),
    ...(ims && !projectDomainName && !projectDomainId ? { projectInUserDomain: true } : {}),
  };
  if (method.type !== 'application-credential' && !scope.projectName && !scope.projectId) {
    throw missing(
      'auth.project_name',
      ims
        ? 'give the region (e.g. cn-north-4) as project_name or region_name, or the project_id'
        : 'Imagedrop works inside a project: add project_name or project_id',
    );
  }
  if (ims && !region) {
    if (!projectName) throw missing('region_name', 'IMS works per region: add region_name (e.g. cn-north-4)');
    region = regionOfProjectName(projectName);
  }

  const warnings: string[] = [];
  const verifyRaw = raw.verify;
  // openstacksdk: `insecure` wins over `verify`, and only true (or the string 'true') sets it.
  const insecure = raw.insecure === true || (typeof raw.insecure === 'string' && raw.insecure.toLowerCase() === 'true');
  let verify = true;
  if (insecure || verifyRaw === false || (typeof verifyRaw === 'string' && /^(false|no|0)$/i.test(verifyRaw))) {
    verify = false;
    const origin = !insecure
      ? `verify: false in ${source}`
      : envKeys.has('insecure')
        ? 'OS_INSECURE=true in the environment'
        : `insecure: true in ${source}`;
    warnings.push(
      `TLS certificate checks are off for cloud '${name}' (${origin}): anyone on the network path could read your token.`,
    );
  }
  const sizeSetting = (key: string, fallback: number) => {
    const text = str(raw, key);
    if (text === undefined) return fallback;
    const parsed = parseSize(text);
    if (parsed === null || parsed <= 0) throw invalid(key, `${key} '${text}': give bytes or a size such as 2GiB`);
    return parsed;
  };
  const sizeLimit = sizeSetting('image_size_limit', DEFAULT_SIZE_LIMIT);
  const nativeUploadLimit = sizeSetting('ims_native_upload_limit', DEFAULT_IMS_NATIVE_LIMIT);
  // An access key signs its requests and sends no secret: nothing to warn about.
  const plainHttp = method.type === 'access-key' ? null : plainHttpWarning(authUrl, method.type);
  if (plainHttp) warnings.push(`Cloud '${name}': ${plainHttp}`);
  let storageQuota: number | undefined;
  const quotaRaw = str(raw, 'image_storage_quota');
  if (quotaRaw !== undefined) {
    const parsed = parseQuota(quotaRaw);
    if (parsed === null || parsed < 0) {
      throw new ImagedropError(
        'config/invalid',
        `Cloud '${name}' in ${source} has image_storage_quota '${quotaRaw}': give it as glance-api.conf gives user_storage_quota, such as 4GB (powers of 1024), or in bytes.`,
        { detail: source },
      );
    }
    if (parsed > 0) storageQuota = parsed;
  }
  const cacert = str(raw, 'cacert');
  const override = str(raw, 'image_endpoint_override');
  const obsOverride = str(raw, 'obs_endpoint_override');
  const obsBucket = str(raw, 'obs_bucket');
  for (const [key, url] of [
    ['image_endpoint_override', override],
    ['obs_endpoint_override', obsOverride],
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^/\s]+/i.test(url))
      throw invalid(
        key,
        `${key} '${url}', which is not an http(s) URL: give one such as https://ims.${region ?? 'cn-north-4'}.myhuaweicloud.com`,
      );
  }
  return {
    name,
    source,
    authUrl,
    auth: method,
    scope,
    interface: normalizeInterface(str(raw, 'interface'), name, source),
    verify,
    sizeLimit,
    nativeUploadLimit,
    imageService,
    warnings,
    ...(region ? { regionName: region } : {}),
    ...(cacert ? { cacertPath: cacert } : {}),
    ...(override ? { imageEndpointOverride: override } : {}),
    ...(storageQuota === undefined ? {} : { storageQuota }),
    ...(obsOverride ? { obsEndpointOverride: obsOverride } : {}),
    ...(obsBucket ? { obsBucket } : {}),
    ...(accessKeys ? { accessKeys } : {}),
  };
}

function chooseImageService(
  raw: Raw,
  authUrl: string,
  profile: string | undefined,
  source: string,
  invalid: (field: string, sentence: string) => ImagedropError,
): ImageServiceChoice {
  const explicit = str(raw, 'image_service');
  if (explicit !== undefined) {
    const kind = explicit.trim().toLowerCase();
    if (kind !== 'ims' && kind !== 'glance')
      throw invalid('image_service', `image_service '${explicit}': use ims (Huawei Cloud IMS) or glance (OpenStack)`);
    return { kind, reason: `image_service: ${kind} in ${source}`, inferred: false };
  }
  if (profile && IMS_PROFILES.has(profile))
    return {
      kind: 'ims',
      reason: `profile: ${profile} (Open Telekom Cloud, whose images go through IMS)`,
      inferred: true,
    };
  return imageServiceFromAuthUrl(authUrl);
}

/** What the auth URL alone says: IMS for a Huawei/OTC/Flexible Engine IAM host, else Glance. */
export function imageServiceFromAuthUrl(authUrl: string): ImageServiceChoice {
  const cloud = huaweiIamCloud(authUrl);
  if (cloud)
    return {
      kind: 'ims',
      reason: `the auth URL is ${cloud}'s IAM (${new URL(authUrl).host}); set image_service: glance to use its Glance API instead`,
      inferred: true,
    };
  return { kind: 'glance', reason: 'the default: nothing in the configuration names Huawei Cloud IMS', inferred: true };
}

function readAccessKeys(
  raw: Raw,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
  missing: (field: string, hint?: string) => ImagedropError,
): AccessKeys | undefined {
  const ak = str(raw, 'ak') ?? str(raw, 'access_key');
  const sk = str(raw, 'sk') ?? str(raw, 'secret_key');
  const token = str(raw, 'security_token');
  if (ak || sk) {
    if (!ak) throw missing('ak', 'an sk (secret key) needs its ak (access key id)');
    if (!sk) throw missing('sk', 'add the secret key of the access key (secure.yaml is a good place)');
    return { accessKey: ak, secretKey: sk, ...(token ? { securityToken: token } : {}), source };
  }
  // python-otcextensions: the cloud's own keys first, then these variables.
  const envAk = firstEnv(env, ENV_ACCESS_KEY);
  const envSk = firstEnv(env, ENV_SECRET_KEY);
  if (!envAk && !envSk) return undefined;
  if (!envAk || !envSk) {
    const have = (envAk ?? envSk)!.name;
    const want = envAk ? ENV_SECRET_KEY.join(' or ') : ENV_ACCESS_KEY.join(' or ');
    throw new ImagedropError(
      'config/missing-field',
      `${have} is set in the environment without ${want}: set both, or neither.`,
      { detail: have },
    );
  }
  const envToken = token ? { name: 'security_token', value: token } : firstEnv(env, ENV_SECURITY_TOKEN);
  return {
    accessKey: envAk.value!,
    secretKey: envSk.value!,
    ...(envToken ? { securityToken: envToken.value! } : {}),
    source: `${envAk.name} and ${envSk.name} in the environment`,
  };
}

/** Names of the clouds a user can choose from (clouds.yaml, plus the environment when set). */
export async function listCloudNames(
  environment: ConfigEnvironment,
): Promise<{ name: string; source: string; authUrl: string | null }[]> {
  const file = await loadCloudsFile(environment);
  const out = Object.entries(file.clouds).map(([name, raw]) => ({
    name,
    source: file.file ?? 'clouds.yaml',
    authUrl: str(asRecord(raw.auth), 'auth_url') ?? null,
  }));
  const env = fromEnvironment(environment.env);
  if (env)
    out.push({
      name: environment.env.OS_CLOUD_NAME ?? 'envvars',
      source: 'environment',
      authUrl: str(asRecord(env.auth), 'auth_url') ?? null,
    });
  return out;
}

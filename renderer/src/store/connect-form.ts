// Pure rules of the Connect form: the details as typed, their defaults, what is missing, and the
// ConnectRequest they make for each kind of image service. No store, no React: the view keeps the
// state and shows the problems (connect namespace keys, translated there).
import type { TFunction } from 'i18next';
import { authUrlProblem, plainHttpWarning } from '../../../shared/auth-url.ts';
import type {
  CloudEntry,
  ConnectRequest,
  EndpointInterface,
  GlanceManualRequest,
  ImsManualRequest,
} from '../../../shared/session.ts';
import type { connect as connectEn } from '../i18n/locales/en/connect.ts';

export type Mode = 'cloud' | 'manual';
/** The image services a cloud typed in can have; each brings its own fields and its own sign-in ways. */
export type ServiceKind = 'glance' | 'ims';
export type GlanceAuthType = 'password' | 'application-credential';
export type ImsAuthType = 'password' | 'access-key';

/** How each kind signs in, as chosen on the form (each kind remembers its own choice). */
export interface ManualAuth {
  readonly glance: GlanceAuthType;
  readonly ims: ImsAuthType;
}

export const DEFAULT_AUTH: ManualAuth = { glance: 'password', ims: 'password' };

/** Every field of the details form, as typed (shared by all kinds; each kind reads its own). */
export interface ManualFields {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  applicationCredentialId: string;
  secret: string;
  regionName: string;
  interface: EndpointInterface;
  cacertPath: string;
  remember: boolean;
  label: string;
  // Huawei Cloud IMS
  accountName: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  securityToken: string;
  obsBucket: string;
  imageEndpointOverride: string;
  obsEndpointOverride: string;
}

export const EMPTY_FIELDS: ManualFields = {
  authUrl: '',
  username: '',
  password: '',
  projectName: '',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  applicationCredentialId: '',
  secret: '',
  regionName: '',
  interface: 'public',
  cacertPath: '',
  remember: false,
  label: '',
  accountName: '',
  projectId: '',
  accessKey: '',
  secretKey: '',
  securityToken: '',
  obsBucket: '',
  imageEndpointOverride: '',
  obsEndpointOverride: '',
};

export type ProblemKey = `problems.${keyof (typeof connectEn)['problems'] & string}`;

/** A sentence of the form: a key of the connect namespace, with its values. */
export interface ConnectMessage {
  readonly key: ProblemKey;
  readonly values?: Readonly<Record<string, string>>;
}

/** The sentence in the current language (`t` from useTranslation('connect')). */
export function problemText(problem: ConnectMessage, t: TFunction<'connect'>): string {
  // The key is checked by ProblemKey; i18next's own overloads cannot follow a key chosen at run time.
  return (t as unknown as (key: string, values?: Readonly<Record<string, string>>) => string)(
    problem.key,
    problem.values,
  );
}

export type ProblemField = keyof ManualFields | 'cloud';
export type Problems = Partial<Record<ProblemField, ConnectMessage>>;
export type Built = { ok: true; request: ConnectRequest } | { ok: false; problems: Problems };

const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
const message = (key: ProblemKey, values?: Record<string, string>): ConnectMessage =>
  values ? { key, values } : { key };
const HTTP_URL = /^https?:\/\/[^\s/]+/i;

function urlProblems(fields: ManualFields, problems: Problems, emptyKey: 'problems.authUrl' | 'problems.iamUrl'): void {
  const url = fields.authUrl.trim();
  if (url === '') problems.authUrl = message(emptyKey);
  else if (!HTTP_URL.test(url)) problems.authUrl = message('problems.scheme');
  else if (authUrlProblem(url)) problems.authUrl = message('problems.url', { problem: authUrlProblem(url) ?? '' });
}

/** An endpoint override, if given, is an http(s) URL. */
function endpointProblem(value: string): ConnectMessage | undefined {
  return value.trim() === '' || HTTP_URL.test(value.trim()) ? undefined : message('problems.scheme');
}

/** A Keystone cloud with Glance: a user and password in a project, or an application credential. */
export function buildGlanceRequest(fields: ManualFields, authType: GlanceAuthType): Built {
  const problems: Problems = {};
  urlProblems(fields, problems, 'problems.authUrl');
  if (authType === 'password') {
    if (fields.username.trim() === '') problems.username = message('problems.username');
    if (fields.password === '') problems.password = message('problems.password');
    if (fields.projectName.trim() === '') problems.projectName = message('problems.project');
  } else {
    if (fields.applicationCredentialId.trim() === '') problems.applicationCredentialId = message('problems.appCredId');
    if (fields.secret === '') problems.secret = message('problems.appCredSecret');
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const auth: GlanceManualRequest['auth'] =
    authType === 'password'
      ? {
          type: 'password',
          username: fields.username.trim(),
          password: fields.password,
          projectName: fields.projectName.trim(),
          userDomainName: optional(fields.userDomainName) ?? 'Default',
          projectDomainName: optional(fields.projectDomainName) ?? 'Default',
        }
      : {
          type: 'application-credential',
          applicationCredentialId: fields.applicationCredentialId.trim(),
          secret: fields.secret,
        };
  const regionName = optional(fields.regionName);
  // As the picker gave it (main accepts exactly the path it granted): never trimmed.
  const cacertPath = fields.cacertPath === '' ? undefined : fields.cacertPath;
  const label = fields.remember ? optional(fields.label) : undefined;
  return {
    ok: true,
    request: {
      kind: 'manual',
      authUrl: fields.authUrl.trim(),
      auth,
      interface: fields.interface,
      remember: fields.remember,
      ...(regionName ? { regionName } : {}),
      ...(cacertPath ? { cacertPath } : {}),
      ...(label ? { label } : {}),
    },
  };
}

/**
 * An IMS cloud as python-otcextensions users write it: the IAM user with its account, or only an
 * access key; the project (named after the region) or its id.
 */
export function buildImsRequest(fields: ManualFields, authType: ImsAuthType): Built {
  const problems: Problems = {};
  urlProblems(fields, problems, 'problems.iamUrl');
  if (authType === 'password') {
    if (fields.username.trim() === '') problems.username = message('problems.username');
    if (fields.password === '') problems.password = message('problems.password');
    if (fields.accountName.trim() === '') problems.accountName = message('problems.account');
  }
  if (fields.projectName.trim() === '' && fields.projectId.trim() === '' && fields.regionName.trim() === '')
    problems.projectName = message('problems.imsProject');
  const ak = fields.accessKey.trim();
  if (authType === 'access-key' || ak !== '' || fields.secretKey !== '') {
    if (ak === '') problems.accessKey = message(authType === 'access-key' ? 'problems.akOnly' : 'problems.ak');
    if (fields.secretKey === '') problems.secretKey = message('problems.sk');
  }
  const bucket = fields.obsBucket.trim();
  if (bucket !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    problems.obsBucket = message('problems.bucket');
  const imageOverride = endpointProblem(fields.imageEndpointOverride);
  if (imageOverride) problems.imageEndpointOverride = imageOverride;
  const obsOverride = endpointProblem(fields.obsEndpointOverride);
  if (obsOverride) problems.obsEndpointOverride = obsOverride;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const auth: ImsManualRequest['auth'] =
    authType === 'password'
      ? {
          type: 'password',
          username: fields.username.trim(),
          password: fields.password,
          accountName: fields.accountName.trim(),
        }
      : { type: 'access-key' };
  const token = fields.securityToken.trim();
  const cacertPath = fields.cacertPath === '' ? undefined : fields.cacertPath;
  const label = fields.remember ? optional(fields.label) : undefined;
  const projectName = optional(fields.projectName);
  const projectId = optional(fields.projectId);
  const regionName = optional(fields.regionName);
  const imageEndpointOverride = optional(fields.imageEndpointOverride);
  const obsEndpointOverride = optional(fields.obsEndpointOverride);
  return {
    ok: true,
    request: {
      kind: 'manual',
      imageService: 'ims',
      authUrl: fields.authUrl.trim(),
      auth,
      remember: fields.remember,
      ...(projectName ? { projectName } : {}),
      ...(projectId ? { projectId } : {}),
      ...(regionName ? { regionName } : {}),
      ...(ak !== ''
        ? { accessKeys: { accessKey: ak, secretKey: fields.secretKey, ...(token ? { securityToken: token } : {}) } }
        : {}),
      ...(bucket ? { obsBucket: bucket } : {}),
      ...(imageEndpointOverride ? { imageEndpointOverride } : {}),
      ...(obsEndpointOverride ? { obsEndpointOverride } : {}),
      ...(cacertPath ? { cacertPath } : {}),
      ...(label ? { label } : {}),
    },
  };
}

/** Per kind: how its request is built from the fields and its sign-in choice. A new kind adds one entry. */
const KINDS: { readonly [K in ServiceKind]: (fields: ManualFields, auth: ManualAuth) => Built } = {
  glance: (fields, auth) => buildGlanceRequest(fields, auth.glance),
  ims: (fields, auth) => buildImsRequest(fields, auth.ims),
};

/**
 * The request for the details typed in, or what is missing. "Remember" counts only where secrets
 * can be kept (`canRemember` false: no keychain).
 */
export function buildManualRequest(
  service: ServiceKind,
  fields: ManualFields,
  auth: ManualAuth,
  canRemember: boolean | null = null,
): Built {
  return KINDS[service]({ ...fields, remember: rememberChecked(fields, canRemember) }, auth);
}

/** The "Remember" box is ticked and can be: it needs a keychain. */
export function rememberChecked(fields: ManualFields, canRemember: boolean | null): boolean {
  return fields.remember && canRemember !== false;
}

/** The secret the chosen sign-in sends to the auth URL, if any (IMS with an access key only sends none). */
export function secretSent(service: ServiceKind, auth: ManualAuth): 'password' | 'application-credential' | null {
  if (service === 'glance') return auth.glance;
  return auth.ims === 'password' ? 'password' : null;
}

/** The warning under the auth URL while the chosen sign-in would send a secret over plain http://. */
export function authUrlWarning(service: ServiceKind, auth: ManualAuth, fields: ManualFields): string | null {
  const signsIn = secretSent(service, auth);
  return signsIn ? plainHttpWarning(fields.authUrl.trim(), signsIn) : null;
}

/** The problems with one field's cleared (the same object where it had none). */
export function clearProblem(problems: Problems, key: ProblemField): Problems {
  return problems[key] ? { ...problems, [key]: undefined } : problems;
}

/**
 * The choice's key of a cloud. A remembered connection may share its name with a clouds.yaml cloud
 * (remembered by an older version): then its choice gets a key of its own, and the request says
 * which one is meant.
 */
export function cloudKey(cloud: CloudEntry, clouds: readonly CloudEntry[]): string {
  return cloud.source === 'remembered' && clouds.some((o) => o !== cloud && o.name === cloud.name)
    ? `${cloud.name}\u0000remembered`
    : cloud.name;
}

/** The cloud a key chooses; the first one when none is chosen yet (or the chosen one is gone). */
export function chosenCloud(clouds: readonly CloudEntry[], key: string): CloudEntry | undefined {
  return clouds.find((c) => cloudKey(c, clouds) === key) ?? clouds[0];
}

/** The request for a cloud from the list, or the problem when there is none. */
export function buildCloudRequest(cloud: CloudEntry | undefined): Built {
  if (!cloud) return { ok: false, problems: { cloud: message('problems.cloud') } };
  return {
    ok: true,
    request: { kind: 'cloud', cloud: cloud.name, ...(cloud.source === 'remembered' ? { remembered: true } : {}) },
  };
}

/**
 * The way shown, and the way ticked. Until the clouds list is read, neither way is ticked (the
 * details form shows, ready to type in): the default may still become "a cloud from clouds.yaml",
 * and a click on a way already ticked would not count as a choice.
 */
export function connectMode(
  chosen: Mode | null,
  cloudsCount: number,
  cloudsLoaded: boolean,
): { shown: Mode; ticked: Mode | null } {
  const shown: Mode = chosen ?? (cloudsCount > 0 ? 'cloud' : 'manual');
  return { shown, ticked: chosen ?? (cloudsLoaded ? shown : null) };
}

// Signing in, and what the renderer may know about the session. The token never leaves main.
import { formatBytes } from './format.ts';
import type { GlanceStore } from './glance.ts';

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface PasswordAuth {
  readonly type: 'password';
  readonly username: string;
  readonly password: string;
  readonly userDomainName?: string;
  readonly projectName: string;
  readonly projectDomainName?: string;
}

export interface ApplicationCredentialAuth {
  readonly type: 'application-credential';
  readonly applicationCredentialId?: string;
  readonly applicationCredentialName?: string;
  readonly username?: string;
  readonly userDomainName?: string;
  readonly secret: string;
}

/** Details typed into the Connect view for an OpenStack cloud (Keystone + Glance). */
export interface GlanceManualRequest {
  readonly kind: 'manual';
  /** Absent or 'glance': OpenStack Glance (absent in requests older than the IMS choice). */
  readonly imageService?: 'glance';
  readonly authUrl: string;
  readonly auth: PasswordAuth | ApplicationCredentialAuth;
  readonly regionName?: string;
  readonly interface?: EndpointInterface;
  readonly cacertPath?: string;
  /** Keep the password or secret, encrypted by the OS keychain (safeStorage). */
  readonly remember: boolean;
  /** Name under which this connection is remembered. */
  readonly label?: string;
}

/** A Huawei IAM user: its name and password, and the account (user_domain_name) it belongs to. */
export interface ImsPasswordAuth {
  readonly type: 'password';
  readonly username: string;
  readonly password: string;
  /** The Huawei Cloud account the IAM user belongs to (clouds.yaml's user_domain_name). */
  readonly accountName: string;
}

/** No IAM sign-in: every IMS call is signed with the access key (AK/SK), as the SDKs do. */
export interface ImsAccessKeyAuth {
  readonly type: 'access-key';
}

/** An access key pair (AK/SK) for OBS (and, without a password, for IMS); temporary ones carry a token. */
export interface AccessKeyPair {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
}

/**
 * Details typed into the Connect view for a Huawei Cloud IMS cloud (Huawei Cloud, Open Telekom
 * Cloud, Flexible Engine), as python-otcextensions users write them in clouds.yaml.
 */
export interface ImsManualRequest {
  readonly kind: 'manual';
  readonly imageService: 'ims';
  /** The IAM endpoint, e.g. https://iam.cn-north-4.myhuaweicloud.com/v3. */
  readonly authUrl: string;
  readonly auth: ImsPasswordAuth | ImsAccessKeyAuth;
  /** The project, named after its region (cn-north-4); or give projectId. */
  readonly projectName?: string;
  readonly projectId?: string;
  /** The region; from the project name when absent. */
  readonly regionName?: string;
  /** For OBS (the register, create and quick routes), and to sign IMS calls when there is no password. */
  readonly accessKeys?: AccessKeyPair;
  /** The default OBS bucket (obs_bucket). */
  readonly obsBucket?: string;
  readonly imageEndpointOverride?: string;
  readonly obsEndpointOverride?: string;
  readonly cacertPath?: string;
  /** Keep the password and the secret key, encrypted by the OS keychain (safeStorage). */
  readonly remember: boolean;
  readonly label?: string;
}

export type ManualConnectRequest = GlanceManualRequest | ImsManualRequest;

/** Either a cloud named in clouds.yaml (or remembered), or details typed into the Connect view. */
export type ConnectRequest =
  | {
      readonly kind: 'cloud';
      readonly cloud: string;
      /** The remembered connection of that name, not a clouds.yaml cloud that shares it. */
      readonly remembered?: boolean;
    }
  | ManualConnectRequest;

export interface CloudEntry {
  readonly name: string;
  /** Where it came from: a clouds.yaml path, 'environment' (OS_*), or 'remembered'. */
  readonly source: string;
  readonly authUrl: string | null;
  readonly warnings: readonly string[];
  /** Glance or IMS, as its settings say (absent when they could not be read). */
  readonly imageService?: ImageServiceKind;
  /** Its region_name, if it names one. */
  readonly region?: string | null;
}

export interface CloudCapabilities {
  readonly diskFormats: readonly string[];
  readonly containerFormats: readonly string[];
  readonly stores: readonly GlanceStore[];
  readonly importMethods: readonly string[];
  /**
   * The upload limit in bytes (128 GiB unless configured per cloud): a file must be smaller than
   * this (fitsSizeLimit), as the limit is documented ("smaller than 128 GB").
   */
  readonly sizeLimit: number;
}

/** Which API a cloud's images go through: OpenStack Glance, or Huawei Cloud IMS (with OBS). */
export type ImageServiceKind = 'glance' | 'ims';

export interface ImageServiceChoice {
  readonly kind: ImageServiceKind;
  /** Why: 'image_service: ims in clouds.yaml', 'the auth URL is Huawei Cloud IAM (…)', 'profile: otc', or the default. */
  readonly reason: string;
  /** False when the configuration says it in so many words (image_service). */
  readonly inferred: boolean;
}

/** What the views need of a Huawei IMS session (absent on a Glance cloud). */
export interface ImsSessionFacts {
  /** The `__os_version` values IMS takes (null: the cloud gave no list). */
  readonly osVersions: readonly string[] | null;
  /** The default OBS bucket (obs_bucket), if any. */
  readonly bucket: string | null;
  /** The cloud has an OBS access key: the register, create and quick routes can run. */
  readonly objectStorage: boolean;
  /** The native route takes files smaller than this many bytes. */
  readonly nativeLimit: number;
  /** How IMS calls are signed: with a token, or with the access key alone. */
  readonly auth: 'token' | 'access-key';
}

/** True when a file of `size` bytes may be uploaded under `limit`: the limit is exclusive. */
export function fitsSizeLimit(size: number, limit: number): boolean {
  return size < limit;
}

/**
 * The rest of the sentence for a file that does not fit the upload limit (after its name): the
 * same words in preflight, `cli inspect --cloud` and wherever else the limit is checked.
 */
export function sizeLimitProblem(size: number, limit: number): string {
  return `is ${formatBytes(size)}, and this cloud takes only files smaller than ${formatBytes(limit)} (${limit.toLocaleString('en-US')} bytes, its image_size_limit): convert it to a smaller format (qcow2), or raise image_size_limit for the cloud if its administrator allows it.`;
}

export interface SessionInfo {
  readonly cloud: string | null;
  /** Keystone + project + region: the jobs with this UploadSnapshot.cloudKey belong to this session. */
  readonly cloudKey: string;
  readonly authUrl: string;
  readonly user: { readonly id: string; readonly name: string; readonly domain: string };
  readonly project: { readonly id: string; readonly name: string; readonly domain: string };
  readonly region: string | null;
  readonly interface: EndpointInterface;
  readonly imageEndpoint: string;
  /** Glance or Huawei IMS, and why Imagedrop thinks so: always shown, never silently assumed. */
  readonly imageService: ImageServiceChoice;
  readonly imageApiVersion: string | null;
  readonly roles: readonly string[];
  readonly expiresAt: string;
  readonly warnings: readonly string[];
  readonly capabilities: CloudCapabilities;
  readonly ims?: ImsSessionFacts;
}

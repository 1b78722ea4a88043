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

/** Either a cloud named in clouds.yaml, or details typed into the Connect view. */
export type ConnectRequest =
  | {
      readonly kind: 'cloud';
      readonly cloud: string;
      /** The remembered connection of that name, not a clouds.yaml cloud that shares it. */
      readonly remembered?: boolean;
    }
  | {
      readonly kind: 'manual';
      readonly authUrl: string;
      readonly auth: PasswordAuth | ApplicationCredentialAuth;
      readonly regionName?: string;
      readonly interface?: EndpointInterface;
      readonly cacertPath?: string;
      /** Keep the password or secret, encrypted by the OS keychain (safeStorage). */
      readonly remember: boolean;
      /** Name under which this connection is remembered. */
      readonly label?: string;
    };

export interface CloudEntry {
  readonly name: string;
  /** Where it came from: a clouds.yaml path, 'environment' (OS_*), or 'remembered'. */
  readonly source: string;
  readonly authUrl: string | null;
  readonly warnings: readonly string[];
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
  readonly imageApiVersion: string | null;
  readonly roles: readonly string[];
  readonly expiresAt: string;
  readonly warnings: readonly string[];
  readonly capabilities: CloudCapabilities;
}

// Signing in, and what the renderer may know about the session. The token never leaves main.
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
  /** The largest file an upload may send, in bytes (128 GB unless configured per cloud). */
  readonly sizeLimit: number;
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

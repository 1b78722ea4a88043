// Keystone v3: POST /v3/auth/tokens with a password, an application credential or a token.
// The token comes from the X-Subject-Token header; expiry, user, project, roles and the service
// catalog come from the body. The token is returned to the Session and goes nowhere else.
import type { Dispatcher } from 'undici';
import { ImagedropError } from '../errors.ts';
import type { AuthMethod, ProjectScope } from './cloud-config.ts';
import { httpRequest, parseJson } from './http.ts';
import { shapedServerMessage, statusError } from './status-errors.ts';

export interface CatalogEndpoint {
  readonly id?: string;
  readonly interface: string;
  readonly region?: string | null;
  readonly region_id?: string | null;
  readonly url: string;
}

export interface CatalogEntry {
  readonly type: string;
  readonly name?: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

export interface Named {
  readonly id: string;
  readonly name: string;
  readonly domain?: { readonly id?: string; readonly name?: string };
}

export interface KeystoneToken {
  /** The secret itself. Never log it, never put it in an error, never send it to the renderer. */
  readonly value: string;
  readonly expiresAt: Date;
  readonly issuedAt: Date;
  readonly user: Named;
  readonly project: Named | null;
  readonly roles: readonly string[];
  readonly catalog: readonly CatalogEntry[];
}

/** The auth URL with '/v3' once, whatever form the user gave ('…:5000', '…:5000/', '…/identity/v3/'). */
export function identityV3Url(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(trimmed)
    ? trimmed
    : /\/v2\.0$/.test(trimmed)
      ? trimmed.replace(/\/v2\.0$/, '/v3')
      : `${trimmed}/v3`;
}

function userRef(m: { username?: string; userId?: string; userDomainName?: string; userDomainId?: string }) {
  if (m.userId) return { id: m.userId };
  const domain = m.userDomainId ? { id: m.userDomainId } : { name: m.userDomainName ?? 'Default' };
  return { name: m.username, domain };
}

function scopeBody(scope: ProjectScope) {
  if (scope.projectId) return { project: { id: scope.projectId } };
  if (scope.projectName) {
    const domain = scope.projectDomainId
      ? { id: scope.projectDomainId }
      : scope.projectDomainName
        ? { name: scope.projectDomainName }
        : scope.projectInUserDomain
          ? undefined
          : { name: 'Default' };
    return { project: { name: scope.projectName, ...(domain ? { domain } : {}) } };
  }
  return undefined;
}

/** The JSON body of POST /v3/auth/tokens. */
export function authRequestBody(method: AuthMethod, scope: ProjectScope): unknown {
  let identity: unknown;
  switch (method.type) {
    case 'password':
      identity = { methods: ['password'], password: { user: { ...userRef(method), password: method.password } } };
      break;
    case 'application-credential':
      identity = {
        methods: ['application_credential'],
        application_credential: method.id
          ? { id: method.id, secret: method.secret }
          : { name: method.name, user: userRef(method), secret: method.secret },
      };
      break;
    case 'token':
      identity = { methods: ['token'], token: { id: method.token } };
      break;
    case 'access-key':
      throw new ImagedropError(
        'config/invalid',
        'This cloud has only an access key (AK/SK) and no IAM password or token: it can sign IMS calls, but cannot sign in to Keystone or Glance; add the IAM user, password and account (user_domain_name) to its auth.',
      );
  }
  // An application credential carries its own project scope; Keystone refuses another.
  const scoped = method.type === 'application-credential' ? undefined : scopeBody(scope);
  return { auth: { identity, ...(scoped ? { scope: scoped } : {}) } };
}

interface TokenBody {
  token?: {
    expires_at?: string;
    issued_at?: string;
    user?: Named;
    project?: Named;
    roles?: { name: string }[];
    catalog?: CatalogEntry[];
  };
}

export async function authenticate(options: {
  authUrl: string;
  method: AuthMethod;
  scope: ProjectScope;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  /** 'iam' for Huawei Cloud's Keystone-compatible IAM: the same calls, its own name in messages. */
  service?: 'keystone' | 'iam';
}): Promise<KeystoneToken> {
  const service = options.service ?? 'keystone';
  const who = service === 'iam' ? 'IAM' : 'Keystone';
  const url = `${identityV3Url(options.authUrl)}/auth/tokens`;
  const res = await httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(authRequestBody(options.method, options.scope)),
    signal: options.signal,
    dispatcher: options.dispatcher,
    service,
  });
  if (res.status !== 201 && res.status !== 200) {
    const err = statusError(service, res.status, res.text);
    if (res.status === 401 && options.method.type === 'application-credential') {
      throw new ImagedropError(
        'auth/invalid-credentials',
        `${who} refused the application credential: check its id (or name and user) and its secret, and that it has not expired.`,
        { httpStatus: 401, ...(err.serverMessage ? { serverMessage: err.serverMessage } : {}) },
      );
    }
    // Keystone answers a token it cannot even decode with 404 "Could not recognize Fernet token"
    // (in its own error shape): that is a refused token too, not a missing Keystone API.
    const refusedToken =
      res.status === 401 || (res.status === 404 && shapedServerMessage('keystone', res.text) !== null);
    if (refusedToken && options.method.type === 'token') {
      throw new ImagedropError(
        'auth/invalid-credentials',
        `${who} refused the token: it is malformed, has expired or has been revoked; get a new one, or sign in with a password or an application credential.`,
        { httpStatus: res.status, ...(err.serverMessage ? { serverMessage: err.serverMessage } : {}) },
      );
    }
    throw err;
  }
  const subject = res.headers['x-subject-token'];
  const value = Array.isArray(subject) ? subject[0] : subject;
  const body = parseJson<TokenBody>(res, url, service).token;
  if (!value || !body?.expires_at || !body.user) {
    throw new ImagedropError(
      'auth/unexpected-response',
      `${who} answered without a token: check that the auth URL points at ${who} v3.`,
      { httpStatus: res.status },
    );
  }
  return {
    value,
    expiresAt: new Date(body.expires_at),
    issuedAt: new Date(body.issued_at ?? Date.now()),
    user: body.user,
    project: body.project ?? null,
    roles: (body.roles ?? []).map((r) => r.name),
    catalog: body.catalog ?? [],
  };
}

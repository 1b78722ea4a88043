// A signed-in Huawei Cloud session: what every IMS call needs, whichever way the cloud signs in.
//   - IAM password (or token, or application credential): the Keystone-compatible sign-in of
//     openstack/session.ts, with IAM's names, the token's catalog and its renewal on a 401.
//   - access key only (AK/SK, permanent or temporary): no token at all; each request is signed
//     with APIG's SDK-HMAC-SHA256, and the project id is looked up as Huawei's SDKs do.
// Either way, request() adds the right credentials and the project; token() is for the one call a
// signature cannot carry (the native file PUT, whose body is over 12 MB).
import type { Dispatcher } from 'undici';
import { ImagedropError } from '../errors.ts';
import type { AccessKeys, CloudConfig } from '../openstack/cloud-config.ts';
import { getDispatcher, httpRequest, parseJson, type HttpResponse } from '../openstack/http.ts';
import { identityV3Url, type CatalogEntry, type KeystoneToken } from '../openstack/keystone.ts';
import { Session } from '../openstack/session.ts';
import { statusError } from '../openstack/status-errors.ts';
import { resolveImsEndpoints, type ImsEndpoints, type ServiceEndpoint } from './endpoints.ts';
import { imsError } from './ims-errors.ts';
import { signRequest } from './signer.ts';

export type HuaweiAuthKind = 'token' | 'access-key';

export interface HuaweiSessionDetails {
  readonly cloud: string;
  readonly authUrl: string;
  readonly auth: HuaweiAuthKind;
  readonly region: string;
  readonly projectId: string;
  readonly projectName: string | null;
  /** Null for an access-key session (it has no user, only a key). */
  readonly user: { readonly id: string; readonly name: string; readonly domain: string } | null;
  readonly imsEndpoint: ServiceEndpoint;
  readonly obsEndpoint: ServiceEndpoint | null;
  /** When the token expires; null for an access key. */
  readonly expiresAt: Date | null;
}

export interface HuaweiRequest {
  readonly method: Dispatcher.HttpMethod;
  /** An absolute URL, or a path under the IMS endpoint ('/v2/images?limit=10'). */
  readonly path: string;
  /** JSON text. */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly service?: 'ims' | 'iam';
  readonly headersTimeout?: number;
}

export interface OpenOptions {
  readonly now?: () => number;
  /** Replaces the shared Agent (tests pass undici's MockAgent). */
  readonly dispatcher?: Dispatcher;
}

export class HuaweiSession {
  readonly config: CloudConfig;
  readonly dispatcher: Dispatcher;
  readonly region: string;
  readonly projectId: string;
  readonly projectName: string | null;
  readonly endpoints: ImsEndpoints;
  /** The IAM sign-in behind a token session; null for an access-key session. */
  readonly keystone: Session | null;
  readonly #now: () => number;

  private constructor(init: {
    config: CloudConfig;
    dispatcher: Dispatcher;
    region: string;
    projectId: string;
    projectName: string | null;
    endpoints: ImsEndpoints;
    keystone: Session | null;
    now: () => number;
  }) {
    this.config = init.config;
    this.dispatcher = init.dispatcher;
    this.region = init.region;
    this.projectId = init.projectId;
    this.projectName = init.projectName;
    this.endpoints = init.endpoints;
    this.keystone = init.keystone;
    this.#now = init.now;
  }

  /** Signs in to a Huawei cloud (CloudConfig.imageService.kind 'ims'), or looks its project up. */
  static async open(config: CloudConfig, signal: AbortSignal, options: OpenOptions = {}): Promise<HuaweiSession> {
    const now = options.now ?? Date.now;
    const region = config.regionName;
    if (!region) {
      throw new ImagedropError(
        'config/missing-field',
        `Cloud '${config.name}' has no region: add region_name (e.g. cn-north-4).`,
      );
    }
    const dispatcher =
      options.dispatcher ??
      (await getDispatcher({ ...(config.cacertPath ? { cacertPath: config.cacertPath } : {}), verify: config.verify }));
    const endpointInput = {
      cloud: config.name,
      authUrl: config.authUrl,
      region,
      interface: config.interface,
      ...(config.imageEndpointOverride ? { imsOverride: config.imageEndpointOverride } : {}),
      ...(config.obsEndpointOverride ? { obsOverride: config.obsEndpointOverride } : {}),
    };

    if (config.auth.type === 'access-key') {
      const keys = config.accessKeys!;
      const project = config.scope.projectId
        ? { id: config.scope.projectId, name: config.scope.projectName ?? null }
        : await lookUpProject(config, keys, config.scope.projectName ?? region, dispatcher, signal, now);
      return new HuaweiSession({
        config,
        dispatcher,
        region,
        projectId: project.id,
        projectName: project.name,
        endpoints: resolveImsEndpoints({ ...endpointInput, catalog: [] }),
        keystone: null,
        now,
      });
    }

    let endpoints: ImsEndpoints | null = null;
    const keystone = await Session.open(config, signal, now, dispatcher, {
      identityService: 'iam',
      pickImageEndpoint: async (token) => {
        const catalog =
          token.catalog.length > 0 || (config.imageEndpointOverride && config.obsEndpointOverride)
            ? token.catalog
            : await fetchCatalog(config, token, dispatcher, signal);
        endpoints = resolveImsEndpoints({ ...endpointInput, catalog });
        return { url: endpoints.ims.url, region };
      },
    });
    return new HuaweiSession({
      config,
      dispatcher,
      region,
      projectId: keystone.projectId,
      projectName: keystone.details.project.name || null,
      endpoints: endpoints!,
      keystone,
      now,
    });
  }

  /** This machine's time as the session sees it (tests move it to prove the clock-skew answer). */
  now(): number {
    return this.#now();
  }

  get auth(): HuaweiAuthKind {
    return this.keystone ? 'token' : 'access-key';
  }

  /** The IMS root: '/v2/images' and '/v1/cloudimages/…' go under it. */
  get imsEndpoint(): string {
    return this.endpoints.ims.url;
  }

  get details(): HuaweiSessionDetails {
    const d = this.keystone?.details;
    return {
      cloud: this.config.name,
      authUrl: this.config.authUrl,
      auth: this.auth,
      region: this.region,
      projectId: this.projectId,
      projectName: this.projectName,
      user: d ? d.user : null,
      imsEndpoint: this.endpoints.ims,
      obsEndpoint: this.endpoints.obs,
      expiresAt: d ? d.expiresAt : null,
    };
  }

  /** The cloud's access key, for OBS (and for IMS when there is no password). */
  get accessKeys(): AccessKeys | null {
    return this.config.accessKeys ?? null;
  }

  /**
   * A token for the calls an access-key signature cannot carry (a body over 12 MB: the native
   * file PUT). An access-key-only cloud has none: one sentence saying what to add.
   */
  async token(signal: AbortSignal): Promise<string> {
    if (!this.keystone) {
      throw new ImagedropError(
        'ims/needs-token',
        `Cloud '${this.config.name}' signs with an access key only, and IMS takes the native upload of a whole file only with a token: add the IAM user's password (auth.username, auth.password, auth.user_domain_name), or upload through an OBS bucket (obs_bucket).`,
      );
    }
    return this.keystone.token(signal);
  }

  url(path: string): string {
    return /^https?:/.test(path) ? path : `${this.imsEndpoint}${path}`;
  }

  /**
   * Sends one request with the session's credentials and reads the answer. A token session renews
   * its token once on a 401 and repeats the request (IMS's 401 is mapped with imsError); any other
   * status is returned for the caller to judge.
   */
  async request(req: HuaweiRequest): Promise<HttpResponse> {
    const url = this.url(req.path);
    const service = req.service ?? 'ims';
    const baseHeaders: Record<string, string> = {
      ...(req.body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }),
      ...req.headers,
    };
    const send = (headers: Record<string, string>) =>
      httpRequest(url, {
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: req.signal,
        dispatcher: this.dispatcher,
        service,
        ...(req.headersTimeout === undefined ? {} : { headersTimeout: req.headersTimeout }),
      });
    if (!this.keystone) {
      const keys = this.config.accessKeys!;
      return send(
        signRequest({
          method: req.method,
          url,
          headers: baseHeaders,
          body: req.body ?? '',
          accessKey: keys.accessKey,
          secretKey: keys.secretKey,
          ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
          projectId: this.projectId,
          date: new Date(this.#now()),
        }),
      );
    }
    return this.keystone.withToken(req.signal, async (token) => {
      const res = await send({ ...baseHeaders, 'x-auth-token': token });
      if (res.status === 401) throw imsError(401, res.text, { cloud: this.config.name, auth: 'token' });
      return res;
    });
  }
}

interface ProjectsBody {
  projects?: { id: string; name: string; domain_id?: string }[];
}

/**
 * GET {iam}/v3/projects?name={region}, signed with the access key, as Huawei's Go and Node SDKs do
 * for AK/SK credentials without a project id (ims.md §1.2): none is an error, and so is more than
 * one (a region with sub-projects), which needs project_id.
 */
async function lookUpProject(
  config: CloudConfig,
  keys: AccessKeys,
  name: string,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  now: () => number,
): Promise<{ id: string; name: string }> {
  const url = `${identityV3Url(config.authUrl)}/projects?name=${encodeURIComponent(name)}`;
  const res = await httpRequest(url, {
    method: 'GET',
    headers: signRequest({
      method: 'GET',
      url,
      accessKey: keys.accessKey,
      secretKey: keys.secretKey,
      ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
      date: new Date(now()),
    }),
    signal,
    dispatcher,
    service: 'iam',
  });
  if (res.status === 401 || res.status === 403) {
    throw imsError(res.status, res.text, {
      cloud: config.name,
      auth: 'access-key',
      serverDate: res.headers.date,
      now: now(),
    });
  }
  if (res.status !== 200) throw statusError('iam', res.status, res.text);
  const projects = parseJson<ProjectsBody>(res, url, 'iam').projects ?? [];
  if (projects.length === 0) {
    throw new ImagedropError(
      'auth/project-not-found',
      `IAM has no project named '${name}' for the access key of cloud '${config.name}': check region_name (or project_name), or set project_id.`,
    );
  }
  if (projects.length > 1) {
    throw new ImagedropError(
      'auth/project-ambiguous',
      `Multiple project ids found for '${name}' (${projects.map((p) => p.id).join(', ')}): set project_id in cloud '${config.name}' to the one to use.`,
    );
  }
  return { id: projects[0]!.id, name: projects[0]!.name };
}

/** GET {iam}/v3/auth/catalog: the catalog of a project-scoped token whose body came without one. */
async function fetchCatalog(
  config: CloudConfig,
  token: KeystoneToken,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<readonly CatalogEntry[]> {
  const url = `${identityV3Url(config.authUrl)}/auth/catalog`;
  const res = await httpRequest(url, {
    method: 'GET',
    headers: { 'x-auth-token': token.value },
    signal,
    dispatcher,
    service: 'iam',
  });
  if (res.status !== 200) throw statusError('iam', res.status, res.text);
  return parseJson<{ catalog?: CatalogEntry[] }>(res, url, 'iam').catalog ?? [];
}

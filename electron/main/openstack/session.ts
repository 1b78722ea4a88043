// A signed-in session: the token, renewed shortly before it expires and once on a 401, and the
// image endpoint. It is the only holder of the token and the credentials in the process.
import type { Dispatcher } from 'undici';
import type { EndpointInterface } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import { imageApiRoot, pickEndpoint, type PickedEndpoint } from './catalog.ts';
import type { CloudConfig } from './cloud-config.ts';
import { abortReason, getDispatcher } from './http.ts';
import { authenticate, type KeystoneToken } from './keystone.ts';

/**
 * Authenticate again when less than this is left of the token's life, or less than half of it
 * for a short-lived token (so that a 4-minute token is not renewed before every call).
 */
export const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
export const RENEW_TIMEOUT_MS = 60_000;

/** How long before `token` expires the session authenticates again. */
export function renewMargin(token: Pick<KeystoneToken, 'issuedAt' | 'expiresAt'>): number {
  const lifetime = token.expiresAt.getTime() - token.issuedAt.getTime();
  return Math.max(0, Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime / 2));
}

/** Waits for `promise`, or rejects as soon as the signal aborts (a deadline as network/timeout). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, url: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal, url, 'keystone'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, url, 'keystone'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export interface SessionDetails {
  readonly cloud: string;
  readonly authUrl: string;
  readonly user: { id: string; name: string; domain: string };
  readonly project: { id: string; name: string; domain: string };
  readonly roles: readonly string[];
  readonly region: string | null;
  readonly interface: EndpointInterface;
  readonly imageEndpoint: string;
  readonly expiresAt: Date;
}

export interface SessionOptions {
  /**
   * Where the image API is, from the token (its catalog). Default: the override, else the catalog's
   * `image` endpoint for the interface and region. Huawei's IMS adds a host pattern after both.
   */
  readonly pickImageEndpoint?: (token: KeystoneToken) => PickedEndpoint | Promise<PickedEndpoint>;
  /** 'iam' for Huawei Cloud's IAM: the same Keystone v3 calls, IAM's name in messages. */
  readonly identityService?: 'keystone' | 'iam';
}

export class Session {
  readonly config: CloudConfig;
  readonly dispatcher: Dispatcher;
  /** Where '/v2/...' paths of the image API live. */
  readonly imageRoot: string;
  readonly imageEndpoint: string;
  readonly region: string | null;
  /**
   * True when the session talks through the shared network Agent of its TLS settings; false when
   * a dispatcher was handed in (tests pass undici's MockAgent), which every request must then use.
   */
  readonly sharedAgent: boolean;
  #token: KeystoneToken;
  #renewing: Promise<KeystoneToken> | null = null;
  readonly #now: () => number;
  readonly #identityService: 'keystone' | 'iam';

  private constructor(
    config: CloudConfig,
    dispatcher: Dispatcher,
    token: KeystoneToken,
    now: () => number,
    options: SessionOptions,
    endpoint: PickedEndpoint,
    sharedAgent: boolean,
  ) {
    this.config = config;
    this.dispatcher = dispatcher;
    this.sharedAgent = sharedAgent;
    this.#token = token;
    this.#now = now;
    this.#identityService = options.identityService ?? 'keystone';
    this.imageEndpoint = endpoint.url;
    this.imageRoot = imageApiRoot(endpoint.url);
    this.region = endpoint.region;
  }

  /** Signs in to a cloud. `dispatcher` replaces the shared Agent (tests pass undici's MockAgent). */
  static async open(
    config: CloudConfig,
    signal: AbortSignal,
    now: () => number = Date.now,
    dispatcher?: Dispatcher,
    options: SessionOptions = {},
  ): Promise<Session> {
    const sharedAgent = dispatcher === undefined;
    dispatcher ??= await getDispatcher({
      ...(config.cacertPath ? { cacertPath: config.cacertPath } : {}),
      verify: config.verify,
    });
    const token = await authenticate({
      authUrl: config.authUrl,
      method: config.auth,
      scope: config.scope,
      dispatcher,
      signal,
      service: options.identityService ?? 'keystone',
    });
    if (!token.project && config.auth.type !== 'application-credential') {
      throw new ImagedropError(
        'auth/forbidden',
        `${options.identityService === 'iam' ? 'IAM' : 'Keystone'} signed in to no project for cloud '${config.name}': check project_name.`,
      );
    }
    const endpoint = options.pickImageEndpoint
      ? await options.pickImageEndpoint(token)
      : config.imageEndpointOverride
        ? { url: config.imageEndpointOverride, region: config.regionName ?? null }
        : pickEndpoint(token.catalog, 'image', {
            interface: config.interface,
            ...(config.regionName ? { region: config.regionName } : {}),
          });
    return new Session(config, dispatcher, token, now, options, endpoint, sharedAgent);
  }

  get details(): SessionDetails {
    const t = this.#token;
    return {
      cloud: this.config.name,
      authUrl: this.config.authUrl,
      user: { id: t.user.id, name: t.user.name, domain: t.user.domain?.name ?? t.user.domain?.id ?? '' },
      project: {
        id: t.project?.id ?? '',
        name: t.project?.name ?? '',
        domain: t.project?.domain?.name ?? t.project?.domain?.id ?? '',
      },
      roles: t.roles,
      region: this.region,
      interface: this.config.interface,
      imageEndpoint: this.imageEndpoint,
      expiresAt: t.expiresAt,
    };
  }

  get projectId(): string {
    return this.#token.project?.id ?? '';
  }

  /**
   * A token with at least renewMargin() of life left. A session that signed in with a token
   * cannot get a new one, so it uses that token until it has actually expired.
   */
  async token(signal: AbortSignal): Promise<string> {
    const left = this.#token.expiresAt.getTime() - this.#now();
    if (this.config.auth.type === 'token') {
      if (left <= 0) throw this.#tokenRejected('has expired');
    } else if (left < renewMargin(this.#token)) {
      await this.renew(signal);
    }
    return this.#token.value;
  }

  #tokenRejected(what: string): ImagedropError {
    return new ImagedropError(
      'auth/token-rejected',
      `The token for cloud '${this.config.name}' ${what}, and a token cannot renew itself: sign in again with a password or an application credential.`,
    );
  }

  /** Authenticates again (after a 401, or near expiry). Concurrent callers share one request. */
  async renew(signal: AbortSignal): Promise<void> {
    if (this.config.auth.type === 'token') {
      throw this.#tokenRejected(
        this.#token.expiresAt.getTime() <= this.#now() ? 'has expired' : 'was refused (revoked or expired)',
      );
    }
    // The renewal is shared by every caller, so it runs on its own deadline: one caller's cancel
    // must not fail the others' requests. Each caller still stops waiting when its own signal aborts.
    this.#renewing ??= authenticate({
      authUrl: this.config.authUrl,
      method: this.config.auth,
      scope: this.config.scope,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(RENEW_TIMEOUT_MS),
      service: this.#identityService,
    })
      .then((token) => {
        this.#token = token;
        return token;
      })
      .finally(() => {
        this.#renewing = null;
      });
    await abortable(this.#renewing, signal, this.config.authUrl);
  }

  /**
   * Runs a request with the current token. On a 401 it first repeats it with the session's
   * current token when another call renewed it meanwhile; otherwise (or if that is refused too)
   * it authenticates again, once, and repeats it. `attempt` must be repeatable.
   */
  async withToken<T>(signal: AbortSignal, attempt: (token: string) => Promise<T>): Promise<T> {
    let token = await this.token(signal);
    let renewed = false;
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(token);
      } catch (e) {
        if (!(e instanceof ImagedropError) || e.httpStatus !== 401 || tries >= 3) throw e;
        if (this.#token.value !== token) {
          token = this.#token.value; // another call already signed in again: use its token
          continue;
        }
        if (renewed) throw e;
        renewed = true;
        await this.renew(signal);
        token = this.#token.value;
      }
    }
  }
}

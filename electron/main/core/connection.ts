// The session: which clouds can be chosen (clouds.yaml, OS_*, remembered connections), signing in
// to one (the latest connect wins; an overtaken one answers auth/superseded), remembering a
// connection typed in, and the cloud context every other service works in.
import type { CloudEntry, ConnectRequest, ManualConnectRequest, SessionInfo } from '../../../shared/session.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import { chooseCloud, listCloudNames, type CloudConfig } from '../openstack/cloud-config.ts';
import type { CloudFacts } from '../targets/glance/cloud-facts.ts';
import { ConnectOrder, supersededError } from './connect-order.ts';
import { openContext, sessionInfo, type CloudContext } from './context.ts';
import type { FileGrants } from './file-grants.ts';
import type { RememberedConnections } from './remembered-connections.ts';
import { configFromManual } from './remembered-connections.ts';

const CALL_TIMEOUT_MS = 60_000;

/** 'alice@keystone.example.org/ops': two users of one Keystone never share a remembered secret. */
function defaultLabel(request: ManualConnectRequest): string {
  const host = new URL(request.authUrl).host;
  if (request.imageService === 'ims') {
    const a = request.auth;
    const who = a.type === 'password' ? `${a.username}.${a.accountName}` : 'access-key'; // never the AK: labels are in plain files
    return `${who}@${host}/${request.projectName ?? request.projectId ?? request.regionName ?? ''}`;
  }
  const a = request.auth;
  const who =
    a.type === 'password'
      ? a.username
      : (a.username ?? a.applicationCredentialName ?? a.applicationCredentialId ?? 'app');
  const project = a.type === 'password' ? `/${a.projectName}` : '';
  return `${who}@${host}${project}`;
}

export interface ConnectionOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly remembered: RememberedConnections;
  readonly facts: CloudFacts;
  /** A typed-in connection may name only a CA file the user chose. */
  readonly grants: FileGrants;
  /** Called once a connect has taken over (jobs of that cloud can move on). */
  readonly onConnected: () => void;
}

export class Connection {
  readonly #env: NodeJS.ProcessEnv;
  readonly #cwd: string;
  readonly #remembered: RememberedConnections;
  readonly #facts: CloudFacts;
  readonly #grants: FileGrants;
  readonly #onConnected: () => void;
  readonly #connects = new ConnectOrder();
  #context: CloudContext | null = null;

  constructor(options: ConnectionOptions) {
    this.#env = options.env;
    this.#cwd = options.cwd;
    this.#remembered = options.remembered;
    this.#facts = options.facts;
    this.#grants = options.grants;
    this.#onConnected = options.onConnected;
  }

  get context(): CloudContext | null {
    return this.#context;
  }

  require(): CloudContext {
    if (!this.#context) throw new ImagedropError('auth/not-connected', 'Connect to a cloud first.');
    return this.#context;
  }

  session(): SessionInfo | null {
    return this.#context ? sessionInfo(this.#context) : null;
  }

  disconnect(): void {
    this.#connects.begin(); // a connect still on its way does not take over afterwards
    this.#context = null;
  }

  async forget(label: string): Promise<void> {
    if (!(await this.#remembered.forget(label))) {
      throw new ImagedropError(
        'config/cloud-not-found',
        `No connection is remembered as '${label}': it may have been forgotten already.`,
      );
    }
  }

  async listClouds(): Promise<CloudEntry[]> {
    const env = { env: this.#env, cwd: this.#cwd };
    const entries: CloudEntry[] = [];
    for (const c of await listCloudNames(env)) {
      let facts: Pick<CloudEntry, 'warnings' | 'imageService' | 'region'>;
      try {
        const config = await chooseCloud({ ...env, cloud: c.name });
        facts = {
          warnings: config.warnings,
          imageService: config.imageService.kind,
          region: config.regionName ?? null,
        };
      } catch (e) {
        facts = { warnings: [toAppError(e).message] };
      }
      entries.push({ name: c.name, source: c.source, authUrl: c.authUrl, ...facts });
    }
    for (const p of await this.#remembered.list()) {
      entries.push({
        name: p.label,
        source: 'remembered',
        authUrl: p.authUrl,
        warnings: [],
        imageService: p.imageService ?? 'glance',
        region: p.regionName ?? null,
      });
    }
    return entries;
  }

  async connect(request: ConnectRequest): Promise<SessionInfo> {
    const isLatest = this.#connects.begin();
    const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
    let config: CloudConfig;
    const environment = { env: this.#env, cwd: this.#cwd };
    if (request.kind === 'cloud') {
      // A remembered connection when the request says so; otherwise the clouds.yaml (or OS_*)
      // cloud of that name, and a remembered one only when no such cloud exists.
      config = request.remembered
        ? await this.#remembered.requireConfig(request.cloud)
        : await chooseCloud({ ...environment, cloud: request.cloud }).catch(async (e: unknown) => {
            const remembered =
              toAppError(e).code === 'config/cloud-not-found' ? await this.#remembered.config(request.cloud) : null;
            if (!remembered) throw e;
            return remembered;
          });
    } else {
      // Main reads this file: only one the user chose in the picker (clouds.yaml and remembered
      // connections name theirs in the user's own files, above).
      if (request.cacertPath !== undefined) this.#grants.requireCaFile(request.cacertPath);
      config = configFromManual(request, request.label ?? defaultLabel(request));
    }
    const context = await openContext(config, signal, { facts: this.#facts });
    if (!isLatest()) throw supersededError(config.name);
    // Remembering is a convenience: when it fails (no keychain, a disk error), the user is
    // connected all the same and told why the connection was not remembered.
    let notRemembered: string | null = null;
    if (request.kind === 'manual' && request.remember) {
      try {
        const configured = (await listCloudNames(environment).catch(() => [])).map((c) => c.name);
        await this.#remembered.remember(config.name, request, configured);
      } catch (e) {
        notRemembered = `Connected, but not remembered: ${toAppError(e).message}`;
      }
    }
    if (!isLatest()) throw supersededError(config.name); // overtaken while it was being remembered
    this.#context = context;
    this.#onConnected();
    const info = sessionInfo(context);
    return notRemembered ? { ...info, warnings: [...info.warnings, notRemembered] } : info;
  }
}

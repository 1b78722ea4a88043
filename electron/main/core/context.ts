// From a signed-in session to what the app needs to know about the cloud: the disk and container
// formats it accepts (its image schema), its stores, its import methods, its size limit, the key
// that ties jobs to this cloud and project, and the targets that run uploads on it.
import { plainHttpImageWarning } from '../../../shared/auth-url.ts';
import type { CloudCapabilities, SessionInfo } from '../../../shared/session.ts';
import type { TargetKind, UploadRequest } from '../../../shared/upload.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { identityV3Url } from '../openstack/keystone.ts';
import type { CloudConfig } from '../openstack/cloud-config.ts';
import { Session } from '../openstack/session.ts';
import { CloudFacts } from '../targets/glance/cloud-facts.ts';
import { GlanceTarget, type GlanceTargetOptions } from '../targets/glance/target.ts';
import type { EngineCloud, ImageTarget } from '../upload/target.ts';
import { buildImsContext, imsSessionInfo, type ImsContext, type ImsContextOptions } from './ims-context.ts';

export interface GlanceContext extends EngineCloud {
  readonly kind: 'glance';
  readonly session: Session;
  readonly glance: GlanceClient;
  readonly capabilities: CloudCapabilities;
  readonly imageApiVersion: string | null;
  /** The endpoint whose hashing facts apply. */
  readonly imageEndpoint: string;
  /** disk_format values the cloud accepts (empty: unknown, do not check). */
  readonly diskFormats: readonly string[];
  readonly sizeLimit: number;
}

/**
 * Keystone + project + region: the same images whichever image endpoint (catalog or override)
 * reaches them, but never another region's, even with the same Keystone and project.
 */
export function cloudKeyOf(session: Session): string {
  return `${identityV3Url(session.config.authUrl)}|${session.projectId}|${session.region ?? ''}`;
}

export interface ContextOptions {
  /** Read only what an upload needs (the schema; stores and import methods when asked): the CLI's fast path. */
  readonly uploadOnly?: { readonly stores: boolean; readonly import?: boolean };
  /** What Imagedrop has learned of the cloud's hashing (kept across runs by the caller). */
  readonly facts?: CloudFacts;
  /** Settings of the Glance target (tests shorten its waits or give it another transport). */
  readonly glance?: Partial<Pick<GlanceTargetOptions, 'verify' | 'createTimeoutMs' | 'transport'>>;
}

/** The session of either kind of cloud, with what the app needs of it. */
export type CloudContext = GlanceContext | ImsContext;

/** Signs in to the cloud `config` names, Glance or Huawei IMS as its image_service says. */
export async function openContext(
  config: CloudConfig,
  signal: AbortSignal,
  options: ContextOptions & ImsContextOptions = {},
): Promise<CloudContext> {
  if (config.imageService.kind === 'ims') {
    const { HuaweiSession } = await import('../huawei/session.ts');
    return buildImsContext(await HuaweiSession.open(config, signal), signal, options);
  }
  return buildContext(await Session.open(config, signal), signal, options);
}

export async function buildContext(
  session: Session,
  signal: AbortSignal,
  options: ContextOptions = {},
): Promise<GlanceContext> {
  const glance = new GlanceClient(session);
  const lite = options.uploadOnly;
  const [versions, schema, stores, importMethods] = await Promise.all([
    lite ? { current: null, versions: [] } : glance.getVersions(signal),
    glance.getImageSchema(signal),
    lite && !lite.stores && !lite.import ? [] : glance.getStores(signal),
    lite && !lite.import ? [] : glance.getImportMethods(signal),
  ]);
  const capabilities: CloudCapabilities = {
    diskFormats: schema.diskFormats,
    containerFormats: schema.containerFormats,
    stores,
    importMethods,
    sizeLimit: session.config.sizeLimit,
  };
  const targetOptions = {
    glance,
    facts: options.facts ?? new CloudFacts(null),
    imageEndpoint: session.imageRoot,
    diskFormats: schema.diskFormats,
    sizeLimit: session.config.sizeLimit,
    ...options.glance,
  };
  const glanceTarget = new GlanceTarget(targetOptions);
  const importTarget = new GlanceTarget({ ...targetOptions, import: { methods: importMethods, stores } });
  const targets = new Map<TargetKind, ImageTarget>([
    ['glance', glanceTarget as ImageTarget],
    ['glance-import', importTarget as ImageTarget],
  ]);
  return {
    kind: 'glance',
    session,
    glance,
    key: cloudKeyOf(session),
    name: session.config.name,
    userName: session.details.user.name,
    imageEndpoint: session.imageRoot,
    diskFormats: schema.diskFormats,
    sizeLimit: session.config.sizeLimit,
    capabilities,
    imageApiVersion: versions.current,
    targetKindFor: (request: UploadRequest) => (request.import ? 'glance-import' : 'glance'),
    target: (kind) => targets.get(kind) ?? null,
  };
}

/**
 * The configuration's warnings (TLS checks off, a sign-in over plain http://), and one for an image
 * endpoint the catalog gives as plain http:// to another machine (the token goes with every call).
 */
export function sessionWarnings(session: Session): string[] {
  const image = plainHttpImageWarning(session.imageEndpoint);
  return [...session.config.warnings, ...(image ? [image] : [])];
}

/** What the renderer may know about the session: never the token or the credentials. */
export function sessionInfo(context: CloudContext): SessionInfo {
  if (context.kind === 'ims') return imsSessionInfo(context);
  const d = context.session.details;
  return {
    cloud: d.cloud,
    cloudKey: context.key,
    authUrl: d.authUrl,
    user: d.user,
    project: d.project,
    region: d.region,
    interface: d.interface,
    imageEndpoint: d.imageEndpoint,
    imageService: context.session.config.imageService,
    imageApiVersion: context.imageApiVersion,
    roles: d.roles,
    expiresAt: d.expiresAt.toISOString(),
    warnings: sessionWarnings(context.session),
    capabilities: context.capabilities,
  };
}

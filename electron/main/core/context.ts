// From a signed-in session to what the app needs to know about the cloud: the disk and container
// formats it accepts (its image schema), its stores, its import methods, its size limit, and the
// key that ties jobs to this cloud and project.
import { plainHttpImageWarning } from '../../../shared/auth-url.ts';
import type { CloudCapabilities, SessionInfo } from '../../../shared/session.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { identityV3Url } from '../openstack/keystone.ts';
import type { Session } from '../openstack/session.ts';
import type { EngineContext } from '../upload/engine.ts';

export interface CloudContext extends EngineContext {
  readonly session: Session;
  readonly capabilities: CloudCapabilities;
  readonly imageApiVersion: string | null;
}

/**
 * Keystone + project + region: the same images whichever image endpoint (catalog or override)
 * reaches them, but never another region's, even with the same Keystone and project.
 */
export function cloudKeyOf(session: Session): string {
  return `${identityV3Url(session.config.authUrl)}|${session.projectId}|${session.region ?? ''}`;
}

export interface ContextOptions {
  /** Read only what an upload needs (the schema; stores when asked): the CLI's fast path. */
  readonly uploadOnly?: { readonly stores: boolean };
}

export async function buildContext(
  session: Session,
  signal: AbortSignal,
  options: ContextOptions = {},
): Promise<CloudContext> {
  const glance = new GlanceClient(session);
  const lite = options.uploadOnly;
  const [versions, schema, stores, importMethods] = await Promise.all([
    lite ? { current: null, versions: [] } : glance.getVersions(signal),
    glance.getImageSchema(signal),
    lite && !lite.stores ? [] : glance.getStores(signal),
    lite ? [] : glance.getImportMethods(signal),
  ]);
  const capabilities: CloudCapabilities = {
    diskFormats: schema.diskFormats,
    containerFormats: schema.containerFormats,
    stores,
    importMethods,
    sizeLimit: session.config.sizeLimit,
  };
  return {
    session,
    glance,
    cloudKey: cloudKeyOf(session),
    cloudName: session.config.name,
    imageEndpoint: session.imageRoot,
    diskFormats: schema.diskFormats,
    sizeLimit: session.config.sizeLimit,
    capabilities,
    imageApiVersion: versions.current,
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
  const d = context.session.details;
  return {
    cloud: d.cloud,
    cloudKey: context.cloudKey,
    authUrl: d.authUrl,
    user: d.user,
    project: d.project,
    region: d.region,
    interface: d.interface,
    imageEndpoint: d.imageEndpoint,
    imageApiVersion: context.imageApiVersion,
    roles: d.roles,
    expiresAt: d.expiresAt.toISOString(),
    warnings: sessionWarnings(context.session),
    capabilities: context.capabilities,
  };
}

// A Huawei Cloud IMS session as the app needs it: the IMS client, the OBS client (when the cloud
// has an access key), the default bucket, the OS versions IMS takes, and the targets, one per route.
// Also the choice of route for an upload whose request says 'auto'.
import { readFile, stat } from 'node:fs/promises';
import https from 'node:https';
import type { CloudCapabilities, ImsSessionFacts, SessionInfo } from '../../../shared/session.ts';
import type { TargetKind, UploadRequest } from '../../../shared/upload.ts';
import { ImagedropError } from '../errors.ts';
import { ImsClient, METADATA_DISK_FORMATS } from '../huawei/ims.ts';
import { IMS_MAX_IMPORT_BYTES, IMS_MAX_QUICK_IMPORT_BYTES, type ImsRoute } from '../huawei/preflight.ts';
import type { HuaweiSession } from '../huawei/session.ts';
import { ObjectStoreClient } from '../objstore/client.ts';
import type { MultipartOptions } from '../objstore/multipart.ts';
import { identityV3Url } from '../openstack/keystone.ts';
import { IMS_DISK_FORMATS, ImsTarget, KIND_OF_ROUTE, type ImsTargetOptions } from '../targets/ims/target.ts';
import type { EngineCloud, ImageTarget } from '../upload/target.ts';
import { formatBytes } from '../../../shared/format.ts';

/** The IMS cloud as its targets see it (objstore null: no access key or OBS endpoint, so only native). */
type ImsCloudFacts = Pick<ImsTargetOptions, 'session' | 'ims' | 'objstore' | 'bucket' | 'osVersions' | 'nativeLimit'>;

export interface ImsContext extends EngineCloud, ImsCloudFacts {
  readonly kind: 'ims';
  readonly capabilities: CloudCapabilities;
  readonly imageApiVersion: string | null;
}

export interface ImsContextOptions {
  /** Between two reads of an IMS job or image (tests shorten it). */
  readonly pollMs?: number;
  readonly multipart?: MultipartOptions;
}

async function objectStoreFor(session: HuaweiSession): Promise<ObjectStoreClient | null> {
  const keys = session.accessKeys;
  const endpoint = session.endpoints.obs;
  if (!keys || !endpoint) return null;
  const config = session.config;
  const https_ = endpoint.url.startsWith('https:');
  const agent =
    https_ && (config.cacertPath || !config.verify)
      ? new https.Agent({
          keepAlive: true,
          ...(config.cacertPath ? { ca: await readFile(config.cacertPath) } : {}),
          rejectUnauthorized: config.verify,
        })
      : undefined;
  return new ObjectStoreClient({
    endpoint: endpoint.url,
    region: session.region,
    credentials: {
      accessKeyId: keys.accessKey,
      secretAccessKey: keys.secretKey,
      ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    },
    ...(agent ? { agent } : {}),
  });
}

export async function buildImsContext(
  session: HuaweiSession,
  signal: AbortSignal,
  options: ImsContextOptions = {},
): Promise<ImsContext> {
  const ims = new ImsClient(session);
  const [osVersions, objstore] = await Promise.all([
    ims.listOsVersions(signal).then(
      (list) => list.map((v) => v.osVersion),
      // A cloud without the list (an older IMS) gets no check against it.
      (e: unknown) => {
        if (e instanceof ImagedropError && (e.httpStatus === 404 || e.httpStatus === 405)) return null;
        throw e;
      },
    ),
    objectStoreFor(session),
  ]);
  const config = session.config;
  const bucket = config.obsBucket ?? null;
  const nativeLimit = config.nativeUploadLimit;
  const facts: ImsCloudFacts = { session, ims, objstore, bucket, osVersions, nativeLimit };
  const targetOptions: ImsTargetOptions = {
    ...facts,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.multipart ? { multipart: options.multipart } : {}),
  };
  const targets = new Map<TargetKind, ImageTarget>(
    (['native', 'register', 'create', 'quick'] as const).map((route) => [
      KIND_OF_ROUTE[route],
      new ImsTarget(route, targetOptions) as ImageTarget,
    ]),
  );
  const context: ImsContext = {
    kind: 'ims',
    ...facts,
    key: `${identityV3Url(config.authUrl)}|${session.projectId}|${session.region}`,
    name: config.name,
    userName: session.details.user?.name ?? null,
    capabilities: {
      diskFormats: IMS_DISK_FORMATS,
      containerFormats: ['bare'],
      stores: [],
      importMethods: [],
      sizeLimit: objstore && bucket ? IMS_MAX_QUICK_IMPORT_BYTES : nativeLimit - 1,
    },
    imageApiVersion: null,
    // A request that reaches the engine with 'auto' is decided here without looking at the file;
    // the service and the CLI decide it first with resolveImsRoute(), which does.
    targetKindFor: (request: UploadRequest) =>
      KIND_OF_ROUTE[
        request.route && request.route !== 'auto' ? request.route : objstore && bucket ? 'register' : 'native'
      ],
    target: (kind) => targets.get(kind) ?? null,
  };
  return context;
}

/**
 * The route for an upload whose request says 'auto': register when the cloud has an access key and
 * a bucket (it resumes part by part and is verified by the object's ETag) — create for a format
 * IMS's metadata does not take, the quick import for RAW or ZVHD2 over 128 GiB — else the native
 * upload when the file is under the cloud's native limit, else one sentence saying what to set.
 */
export async function resolveImsRoute(
  context: ImsContext,
  request: UploadRequest,
  detectFormat: (path: string) => Promise<string>,
): Promise<ImsRoute> {
  if (request.route && request.route !== 'auto') return request.route;
  let size: number;
  try {
    size = (await stat(request.path)).size;
  } catch {
    return context.objstore ? 'register' : 'native'; // the check then says what is wrong with the file
  }
  const bucket = request.bucket ?? context.bucket;
  if (context.objstore && bucket) {
    const format = request.diskFormat === 'auto' ? await detectFormat(request.path) : request.diskFormat;
    if (size > IMS_MAX_IMPORT_BYTES && (format === 'raw' || format === 'zvhd2')) return 'quick';
    return (METADATA_DISK_FORMATS as readonly string[]).includes(format) ? 'register' : 'create';
  }
  if (size < context.nativeLimit) return 'native';
  throw new ImagedropError(
    'config/missing-field',
    `${request.path} is ${formatBytes(size)}, and IMS takes a file in one request only under ${formatBytes(context.nativeLimit)}: give cloud '${context.name}' an OBS access key (ak, sk) and bucket (obs_bucket) so that it goes through OBS.`,
  );
}

/** What the renderer may know of an IMS session. */
export function imsSessionInfo(context: ImsContext): SessionInfo {
  const d = context.session.details;
  const config = context.session.config;
  const ims: ImsSessionFacts = {
    osVersions: context.osVersions,
    bucket: context.bucket,
    objectStorage: context.objstore !== null,
    nativeLimit: context.nativeLimit,
    auth: d.auth,
  };
  return {
    cloud: d.cloud,
    cloudKey: context.key,
    authUrl: d.authUrl,
    user: d.user ?? { id: '', name: `access key ${config.accessKeys?.accessKey.slice(0, 4) ?? ''}…`, domain: '' },
    project: { id: d.projectId, name: d.projectName ?? d.region, domain: '' },
    region: d.region,
    interface: 'public',
    imageEndpoint: d.imsEndpoint.url,
    imageService: config.imageService,
    imageApiVersion: null,
    roles: [],
    expiresAt: (d.expiresAt ?? new Date(Date.now() + 24 * 3600_000)).toISOString(),
    warnings: config.warnings,
    capabilities: context.capabilities,
    ims,
  };
}

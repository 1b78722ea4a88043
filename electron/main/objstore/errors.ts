// Every answer of an S3-compatible store that is not a success, and every failure below HTTP, as
// one ImagedropError: a stable code, one sentence that says what to do, and whether trying again
// may help (the multipart uploader retries exactly those).
import type { AppErrorCode } from '../../../shared/errors.ts';
import { ImagedropError } from '../errors.ts';
import { showName } from './limits.ts';
import { parseXml, text } from './xml.ts';

export type Operation =
  | 'head-bucket'
  | 'bucket-location'
  | 'initiate'
  | 'upload-part'
  | 'list-parts'
  | 'complete'
  | 'abort'
  | 'list-uploads'
  | 'head-object'
  | 'delete-object';

export interface RequestContext {
  readonly operation: Operation;
  /** The endpoint's host, as the user configured it. */
  readonly host: string;
  readonly bucket: string;
  readonly key?: string;
  readonly uploadId?: string;
  readonly partNumber?: number;
  readonly accessKeyId: string;
  readonly region: string;
}

/** What the operation needs the key to be allowed to do, for the access-denied sentence. */
const NEEDS: Record<Operation, string> = {
  'head-bucket': 'read the bucket',
  'bucket-location': 'read the bucket',
  initiate: 'write objects to the bucket',
  'upload-part': 'write objects to the bucket',
  'list-parts': 'list the uploads in the bucket',
  complete: 'write objects to the bucket',
  abort: 'delete uploads in the bucket',
  'list-uploads': 'list the uploads in the bucket',
  'head-object': 'read objects in the bucket',
  'delete-object': 'delete objects in the bucket',
};

/** The S3 error document: Code, Message, and the facts some codes carry. */
export interface S3ErrorBody {
  readonly code: string;
  readonly message: string;
  /** AuthorizationHeaderMalformed / IllegalLocationConstraint: the region the server expects. */
  readonly region?: string;
  /** PermanentRedirect: the endpoint to use instead. */
  readonly endpoint?: string;
  readonly requestId?: string;
}

export function parseS3Error(body: string): S3ErrorBody | undefined {
  const node = parseXml(body, 'Error');
  const code = text(node, 'Code');
  if (!node || !code) return undefined;
  const message = text(node, 'Message') ?? '';
  // AWS and Huawei name the expected region in <Region>; Swift's s3api only in the message:
  // "the region 'eu-west-1' is wrong; expecting 'us-east-1'".
  const region = text(node, 'Region') || /expecting '([^']+)'/.exec(message)?.[1];
  const endpoint = text(node, 'Endpoint');
  const requestId = text(node, 'RequestId');
  return {
    code,
    message,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

const quoted = showName;

function partName(ctx: RequestContext): string {
  return ctx.partNumber === undefined ? 'the data' : `part ${ctx.partNumber}`;
}

/**
 * The error for an answer with status >= 300. `body` is the S3 error document when there is one
 * (HEAD answers have none: then the status and a few headers are all there is).
 */
export function s3Error(
  status: number,
  error: S3ErrorBody | undefined,
  ctx: RequestContext,
  headers: Record<string, string | string[] | undefined> = {},
): ImagedropError {
  const code = error?.code ?? bodylessCode(status, ctx);
  const server = error ? `${error.code}: ${error.message}`.slice(0, 300) : `HTTP ${status}`;
  const make = (appCode: AppErrorCode, message: string, retryable = false) =>
    new ImagedropError(appCode, message, {
      retryable,
      httpStatus: status,
      serverMessage: server,
      detail: [ctx.operation, error?.requestId && `request ${error.requestId}`].filter(Boolean).join(', '),
    });
  const bucket = quoted(ctx.bucket);
  const host = ctx.host;
  switch (code) {
    case 'NoSuchBucket':
      return make(
        'objstore/no-such-bucket',
        `The bucket ${bucket} does not exist at ${host} for the access key ${ctx.accessKeyId}: check the bucket name, the endpoint and that the key belongs to the bucket's account.`,
      );
    case 'InvalidBucketName':
      return make(
        'objstore/invalid-bucket',
        `${host} refuses ${bucket} as a bucket name: use the name of an existing bucket (3 to 63 lower-case letters, digits, hyphens and dots).`,
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'AccountProblem':
      return make(
        'objstore/access-denied',
        `The access key ${ctx.accessKeyId} is not allowed to ${NEEDS[ctx.operation]} ${bucket}: grant it that permission in the bucket's policy or ACL, or use another key.`,
      );
    case 'SignatureDoesNotMatch':
      return make(
        'objstore/signature',
        `${host} refused the request's signature: check the secret key that goes with the access key ${ctx.accessKeyId}.`,
      );
    case 'InvalidAccessKeyId':
      return make(
        'objstore/unknown-access-key',
        `${host} does not know the access key ${ctx.accessKeyId}: check it, or create a new key pair for this account.`,
      );
    case 'ExpiredToken':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
    case 'InvalidSecurity':
      return make(
        'objstore/expired-token',
        `${host} refused the temporary keys' security token (${code}): get new temporary keys (access key, secret key and security token) and try again.`,
      );
    case 'RequestTimeTooSkewed':
      return make(
        'objstore/clock-skew',
        `This computer's clock differs from ${host}'s by more than 15 minutes: set the clock right, then try again.`,
      );
    case 'AuthorizationHeaderMalformed':
    case 'AuthorizationQueryParametersError':
    case 'IllegalLocationConstraintException':
    case 'WrongRegion': {
      const expected = error?.region;
      return make(
        'objstore/wrong-region',
        expected
          ? `The bucket ${bucket} at ${host} is in region ${expected}, not ${ctx.region}: set the region to ${expected}.`
          : `${host} refused the region ${ctx.region} for the bucket ${bucket}: set the region the bucket was created in.`,
      );
    }
    case 'PermanentRedirect':
    case 'TemporaryRedirect':
    case 'Redirect':
      return make(
        'objstore/wrong-endpoint',
        error?.endpoint
          ? `The bucket ${bucket} is not served by ${host}: use the endpoint ${error.endpoint} (the bucket's region's).`
          : `The bucket ${bucket} is not served by ${host}: use the endpoint of the region the bucket was created in.`,
      );
    case 'KeyTooLongError':
    case 'InvalidObjectName':
    case 'InvalidURI':
      return make(
        'objstore/invalid-key',
        `${host} refuses the object name ${quoted(ctx.key ?? '')}: use a shorter name of letters, digits and - _ . / only.`,
      );
    case 'NoSuchUpload':
      return make(
        'objstore/no-such-upload',
        `The multipart upload of ${quoted(ctx.key ?? '')} no longer exists in ${bucket} (it was aborted, completed or expired): start the upload again.`,
      );
    case 'NoSuchKey':
      return make('objstore/no-such-key', `There is no object ${quoted(ctx.key ?? '')} in the bucket ${bucket}.`);
    case 'BadDigest':
    case 'InvalidDigest':
      return make(
        'objstore/bad-digest',
        `${host} received ${partName(ctx)} of ${quoted(ctx.key ?? '')} altered (its MD5 did not match): send it again; if it keeps happening, something on the network changes the data.`,
        true,
      );
    case 'InvalidPart':
    case 'InvalidPartOrder':
    case 'EntityTooSmall':
      return make(
        'objstore/invalid-part',
        `${host} refused to assemble ${quoted(ctx.key ?? '')} from its parts (${code}): resume the upload, which checks every stored part and sends again what does not match.`,
      );
    case 'EntityTooLarge':
    case 'MaxMessageLengthExceeded':
      return make(
        'objstore/too-large',
        `${host} refuses ${partName(ctx)} of ${quoted(ctx.key ?? '')} as too large (${code}): use smaller parts.`,
      );
    case 'SlowDown':
    case 'RequestLimitExceeded':
    case 'TooManyRequests':
      return make(
        'objstore/slow-down',
        `${host} asks for fewer requests (${code}): wait a little and try again.`,
        true,
      );
    case 'RequestTimeout':
      return make(
        'objstore/request-timeout',
        `${host} gave up waiting for ${partName(ctx)} (RequestTimeout): the connection is too slow or was interrupted; try again.`,
        true,
      );
    case 'InternalError':
    case 'ServiceUnavailable':
    case 'ServerBusy':
    case 'OperationAborted':
      return make('objstore/server-error', `${host} had a problem (${status} ${code}): try again later.`, true);
    case 'QuotaExceeded':
    case 'InsufficientStorage':
    case 'AccountQuotaExceeded':
    case 'TooManyBuckets':
      return make(
        'objstore/quota-exceeded',
        `The bucket ${bucket} or its account has no space left (${code}): free space or raise the quota, then resume.`,
      );
    case 'NotImplemented':
    case 'MethodNotAllowed':
    case 'InvalidRequest':
      if (status === 501 || code !== 'InvalidRequest')
        return make(
          'objstore/not-supported',
          `${host} does not support this ${ctx.operation} request (${code}): check that the endpoint is an S3-compatible object store.`,
        );
      break;
  }
  if (status >= 500)
    return make(
      'objstore/server-error',
      `${host} had a problem (${status}${error ? ` ${error.code}` : ''}): try again later.`,
      true,
    );
  if (status === 429)
    return make('objstore/slow-down', `${host} asks for fewer requests (429): wait a little and try again.`, true);
  if (status === 403)
    return make(
      'objstore/access-denied',
      `${host} refused access to the bucket ${bucket} (403): check the secret key, and that the access key ${ctx.accessKeyId} may ${NEEDS[ctx.operation]}.`,
    );
  if (status === 301 || status === 307) {
    const region = headerValue(headers, 'x-amz-bucket-region') ?? headerValue(headers, 'x-obs-bucket-location');
    return make(
      'objstore/wrong-endpoint',
      region
        ? `The bucket ${bucket} is in region ${region}, which ${host} does not serve: use that region's endpoint.`
        : `The bucket ${bucket} is not served by ${host}: use the endpoint of the region the bucket was created in.`,
    );
  }
  if (error)
    return make(
      'objstore/bad-request',
      `${host} refused the ${ctx.operation} request (${error.code}${error.message ? `: ${error.message.replace(/\.$/, '')}` : ''}): check the endpoint, region and bucket settings.`,
    );
  return make(
    'objstore/unexpected-status',
    `${host} answered the ${ctx.operation} request with HTTP ${status}: check that the endpoint is an S3-compatible object store.`,
  );
}

/** HEAD answers have no body: the status and the operation say what it was. */
function bodylessCode(status: number, ctx: RequestContext): string | undefined {
  if (status === 404) {
    if (ctx.operation === 'head-bucket' || ctx.operation === 'bucket-location' || ctx.operation === 'list-uploads')
      return 'NoSuchBucket';
    if (ctx.uploadId !== undefined) return 'NoSuchUpload';
    return 'NoSuchKey';
  }
  if (status === 503) return 'ServiceUnavailable';
  return undefined;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every errno-like code in an error and its causes. */
function errorCodes(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 5) return [];
  const err = e as { code?: unknown; cause?: unknown; errors?: unknown };
  const codes = typeof err.code === 'string' ? [err.code] : [];
  if (err.cause) codes.push(...errorCodes(err.cause, depth + 1));
  if (Array.isArray(err.errors)) for (const inner of err.errors) codes.push(...errorCodes(inner, depth + 1));
  return codes;
}

/** A failure below HTTP (undici error codes, Node errnos, TLS) as one clear, mostly retryable error. */
export function networkFailure(e: unknown, ctx: Pick<RequestContext, 'host' | 'operation'>): ImagedropError {
  if (e instanceof ImagedropError) return e;
  const codes = errorCodes(e);
  const detail = codes.join(', ') || (e instanceof Error ? e.message : String(e));
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  const host = ctx.host;
  if (codes.some((c) => c.startsWith('ERR_TLS_') || c.startsWith('ERR_SSL_') || c.includes('CERT') || c === 'EPROTO'))
    return new ImagedropError(
      'network/tls',
      `The TLS connection to ${host} failed (${detail}): check the endpoint's scheme (http:// or https://) and that its certificate is trusted.`,
      { detail, cause: e },
    );
  if (has('ECONNREFUSED'))
    return new ImagedropError('network/refused', `Nothing answers at ${host}: check the object store endpoint.`, {
      retryable: true,
      detail,
      cause: e,
    });
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'))
    return new ImagedropError(
      'network/dns',
      `The host name ${host} cannot be resolved: check the object store endpoint and your network's DNS.`,
      { retryable: has('EAI_AGAIN'), detail, cause: e },
    );
  if (has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'))
    return new ImagedropError(
      'network/timeout',
      `${host} did not answer in time: check your network, or try again later.`,
      { retryable: true, detail, cause: e },
    );
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'))
    return new ImagedropError(
      'network/unreachable',
      `${host} cannot be reached from this machine: check your network or VPN.`,
      {
        retryable: true,
        detail,
        cause: e,
      },
    );
  return new ImagedropError(
    'network/reset',
    `The connection to ${host} broke during the ${ctx.operation} request: try again.`,
    { retryable: true, detail, cause: e },
  );
}

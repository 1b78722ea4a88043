// Every answer IMS (and the API gateway in front of it) can fail with → one ImagedropError: a stable
// code, one sentence that says what to do, a retryable flag. IMS's own failures carry an IMG.xxxx
// code (OTC-DOC error_codes.rst: body {"error":{"message":"…","code":"IMG.0057"}}, HTTP 400); the
// gateway's carry APIGW.xxxx ({"error_code":"APIGW.0301","error_msg":"…"}). A job that ends FAIL
// carries the same IMG codes in error_code, with fail_reason: jobFailError() makes its sentence.
import type { AppErrorCode } from '../../../shared/errors.ts';
import { ImagedropError } from '../errors.ts';
import { cleanServerMessage } from '../openstack/status-errors.ts';

interface Rule {
  readonly code: AppErrorCode;
  /** What went wrong, as IMS means it, without the code. */
  readonly what: string;
  /** What the user can do about it. */
  readonly todo: string;
  readonly retryable?: boolean;
}

const CONTACT = 'try again later, and if it keeps failing ask Huawei Cloud support with the job or request id';

/** The IMG codes an uploader can meet (error_codes.rst), each in the words a user needs. */
export const IMG_RULES: Readonly<Record<string, Rule>> = {
  'IMG.0001': {
    code: 'ims/bad-request',
    what: 'IMS refused the request as malformed',
    todo: 'report it: Imagedrop sent something IMS does not take',
  },
  'IMG.0002': {
    code: 'ims/invalid-name',
    what: 'the image name is longer than IMS allows',
    todo: 'use at most 128 characters',
  },
  'IMG.0003': {
    code: 'ims/invalid-name',
    what: 'IMS does not accept the image name',
    todo: 'use letters, digits, spaces, hyphens, underscores and periods, with no space at either end',
  },
  'IMG.0007': { code: 'ims/bad-request', what: 'IMS got an empty request', todo: 'report it, and try again' },
  'IMG.0009': { code: 'ims/invalid-name', what: 'an image with this name already exists', todo: 'choose another name' },
  'IMG.0013': { code: 'ims/invalid-name', what: 'the image has no name', todo: 'give it a name' },
  'IMG.0014': {
    code: 'ims/register-failed',
    what: 'IMS failed while running the task',
    todo: CONTACT,
    retryable: true,
  },
  'IMG.0015': {
    code: 'ims/quota-exceeded',
    what: 'the project has as many private images as its quota allows',
    todo: 'delete images you no longer need, or ask for a larger image quota',
  },
  'IMG.0017': {
    code: 'ims/bad-request',
    what: 'IMS does not accept the image file address',
    todo: 'give it as bucket:object-key',
  },
  'IMG.0018': { code: 'ims/register-failed', what: 'IMS could not submit the job', todo: CONTACT, retryable: true },
  'IMG.0023': {
    code: 'ims/job-not-found',
    what: 'IMS could not find or read the job',
    todo: 'check the job id; a job is kept only for a while after it ends',
  },
  'IMG.0024': { code: 'ims/bad-request', what: 'IMS does not accept the image type', todo: 'use ECS or BMS' },
  'IMG.0026': {
    code: 'ims/forbidden',
    what: 'your role may not do this in IMS',
    todo: 'ask the account administrator for IMS permissions (or finish the real-name authentication)',
  },
  'IMG.0027': {
    code: 'ims/image-not-found',
    what: 'IMS has no image with this id',
    todo: 'refresh the list: it may have been deleted',
  },
  'IMG.0028': { code: 'ims/image-protected', what: 'the image is protected', todo: 'turn its protection off first' },
  'IMG.0030': {
    code: 'ims/project-mismatch',
    what: 'the token and the project do not belong together',
    todo: "sign in to the project of this region: the project_name must be the region's (e.g. cn-north-4)",
  },
  'IMG.0046': {
    code: 'ims/image-busy',
    what: 'the image is not in a state that allows this',
    todo: 'wait until it is active or queued, or use another image',
  },
  'IMG.0047': {
    code: 'ims/forbidden',
    what: 'only the owner of the image may do this',
    todo: 'work on an image your project owns',
  },
  'IMG.0055': {
    code: 'ims/invalid-min-disk',
    what: 'IMS does not accept the minimum disk or memory size',
    todo: 'give a minimum disk between 1 and 1024 GB (40 to 1024 for an image made from a bucket file)',
  },
  'IMG.0056': {
    code: 'ims/invalid-os-version',
    what: 'IMS does not know this OS version',
    todo: "pick one of the cloud's OS versions (imagedrop lists them from GET /v1/cloudimages/os_version)",
  },
  'IMG.0057': {
    code: 'ims/object-unusable',
    what: 'IMS cannot use the image file: it is empty, missing or in a format IMS does not take, or IMS may not read it',
    todo: 'check that the object exists in the bucket, is complete and is a disk image, and that its storage class is Standard',
  },
  'IMG.0058': {
    code: 'ims/bucket-wrong-region',
    what: 'the bucket is in another region than the IMS you are using',
    todo: "upload the file to a bucket in the image's region, or use that region's IMS",
  },
  'IMG.0059': {
    code: 'ims/file-too-large',
    what: 'the image file is larger than IMS imports',
    todo: 'import at most 128 GB, or convert it to RAW or ZVHD2 for the quick import (up to 1 TB)',
  },
  'IMG.0060': {
    code: 'ims/throttled',
    what: 'IMS is running as many tasks as it allows at once',
    todo: 'wait a few minutes and try again',
    retryable: true,
  },
  'IMG.0061': { code: 'ims/register-failed', what: 'IMS hit an unknown system error', todo: CONTACT, retryable: true },
  'IMG.0064': {
    code: 'ims/server-error',
    what: 'IMS could not read your tenant from IAM',
    todo: CONTACT,
    retryable: true,
  },
  'IMG.0065': {
    code: 'ims/server-error',
    what: 'IMS could not read your account from IAM',
    todo: CONTACT,
    retryable: true,
  },
  'IMG.0066': { code: 'ims/image-not-found', what: 'the image id is not valid', todo: 'check the image id' },
  'IMG.0067': {
    code: 'ims/project-mismatch',
    what: 'the project id is not valid here',
    todo: "check project_id, or leave it out and give the region's project name",
  },
  'IMG.0068': {
    code: 'ims/bucket-unusable',
    what: 'the bucket name is empty',
    todo: 'give the bucket (obs_bucket or --bucket)',
  },
  'IMG.0069': {
    code: 'ims/bucket-unusable',
    what: 'IMS cannot open the bucket',
    todo: 'check that the bucket exists in this region and that your account may read it',
  },
  'IMG.0072': {
    code: 'ims/format-not-accepted',
    what: 'IMS does not accept the image format',
    todo: 'convert the file to QCOW2, VHD, VMDK, RAW or ZVHD2',
  },
  'IMG.0086': {
    code: 'ims/image-not-found',
    what: 'IMS found no such image',
    todo: 'refresh the list: it may have been deleted',
  },
  'IMG.0087': { code: 'ims/project-mismatch', what: 'IMS did not accept the token', todo: 'sign in again' },
  'IMG.0090': {
    code: 'ims/image-busy',
    what: 'the image is still being created and cannot be deleted yet',
    todo: 'wait until its job ends, then delete it',
    retryable: true,
  },
  'IMG.0092': {
    code: 'ims/forbidden',
    what: 'only the owner of the image may delete it',
    todo: 'delete it from the project that owns it',
  },
  'IMG.0104': {
    code: 'ims/project-mismatch',
    what: 'there are several projects in this region',
    todo: 'give the project name (project_name, e.g. cn-north-4_myproject) or its project_id',
  },
  'IMG.0106': {
    code: 'ims/forbidden',
    what: 'the image belongs to another tenant',
    todo: 'work on an image your project owns',
  },
  'IMG.0108': {
    code: 'ims/project-mismatch',
    what: 'the tenant has no project in this region',
    todo: 'check region_name and the project',
  },
  'IMG.0109': {
    code: 'ims/bucket-unusable',
    what: 'the bucket name has characters IMS does not accept',
    todo: 'use a bucket whose name has only lower-case letters, digits, hyphens and periods',
  },
  'IMG.0115': {
    code: 'ims/invalid-tag',
    what: 'IMS does not accept an image tag',
    todo: 'use tags of the form key=value with letters, digits, underscores and hyphens (key up to 36 characters, value up to 43)',
  },
  'IMG.0116': {
    code: 'ims/invalid-tag',
    what: 'the image has more tags than IMS allows',
    todo: 'remove tags you do not need',
  },
  'IMG.0121': {
    code: 'ims/object-unusable',
    what: 'IMS cannot find the object',
    todo: 'check that the object key exists in the bucket',
  },
  'IMG.0122': {
    code: 'ims/invalid-os-version',
    what: 'IMS does not accept the OS type',
    todo: 'pick one of the OS versions the cloud lists',
  },
  'IMG.0144': {
    code: 'ims/image-not-found',
    what: 'the image does not exist',
    todo: 'refresh the list: it may have been deleted',
  },
  'IMG.0145': {
    code: 'ims/project-mismatch',
    what: 'the project name is not valid',
    todo: 'give the region (e.g. cn-north-4) or a sub-project of it as project_name',
  },
  'IMG.0166': {
    code: 'ims/invalid-os-version',
    what: 'an image made from an ISO file needs its OS version',
    todo: 'pick the OS version',
  },
  'IMG.0175': {
    code: 'ims/object-key-invalid',
    what: 'the object key has a space in it',
    todo: 'use an object key (folders included) without spaces',
  },
  'IMG.0194': {
    code: 'ims/throttled',
    what: 'IMS is importing as many images at once as it allows',
    todo: 'wait for other imports to end, then try again',
    retryable: true,
  },
  'IMG.0212': { code: 'ims/bad-request', what: 'IMS does not accept the architecture', todo: 'use x86 or arm' },
  'IMG.0238': {
    code: 'ims/billing',
    what: 'the account has not finished real-name authentication',
    todo: 'finish it in the Huawei Cloud console',
  },
  'IMG.0239': { code: 'ims/billing', what: 'the account balance is too low', todo: 'top up the account' },
  'IMG.0241': {
    code: 'ims/billing',
    what: 'the account’s payment information is incomplete',
    todo: 'complete it in the Huawei Cloud console',
  },
  'IMG.0242': { code: 'ims/billing', what: "the department's budget is used up", todo: 'ask for a larger budget' },
  'IMG.1075': {
    code: 'ims/register-failed',
    what: 'IMS could not register the image file',
    todo: 'check that the file is a complete disk image in the format given, then try again; if it keeps failing ask Huawei Cloud support with the job id',
    retryable: true,
  },
};

/** Statuses without an IMG code (or a code not in the table). */
const STATUS_RULES: Readonly<Record<number, Rule>> = {
  400: { code: 'ims/bad-request', what: 'IMS refused the request', todo: 'check the image settings' },
  401: {
    code: 'auth/token-rejected',
    what: 'IMS did not accept the session (the token expired or was revoked)',
    todo: 'sign in again',
  },
  403: {
    code: 'ims/forbidden',
    what: 'your IAM permissions do not allow this in IMS',
    todo: 'ask the account administrator for the IMS (and OBS) permissions',
  },
  404: {
    code: 'ims/image-not-found',
    what: 'IMS found no such image or resource',
    todo: 'refresh the list, and check the image endpoint (image_endpoint_override)',
  },
  409: {
    code: 'ims/conflict',
    what: 'the image is not waiting for data (it has data already, or another upload runs)',
    todo: 'upload to a new image record',
  },
  413: {
    code: 'ims/too-large',
    what: 'the request is larger than IMS accepts in one piece',
    todo: 'upload the file through an OBS bucket (the register or create route)',
  },
  429: {
    code: 'ims/throttled',
    what: 'IMS is limiting requests',
    todo: 'wait a moment and try again',
    retryable: true,
  },
  500: { code: 'ims/server-error', what: 'IMS failed with an internal error', todo: CONTACT, retryable: true },
  502: {
    code: 'ims/unavailable',
    what: 'a proxy in front of IMS could not reach it (502)',
    todo: 'try again in a few minutes',
    retryable: true,
  },
  503: {
    code: 'ims/unavailable',
    what: 'IMS is unavailable right now (503)',
    todo: 'try again in a few minutes',
    retryable: true,
  },
  504: {
    code: 'ims/unavailable',
    what: 'a proxy in front of IMS timed out (504)',
    todo: 'try again in a few minutes',
    retryable: true,
  },
};

/** What an IMS or gateway error body says: its code and message, whichever shape it has. */
export function parseImsErrorBody(body: string): { code: string | null; message: string } {
  try {
    const doc = JSON.parse(body) as {
      error?: { code?: unknown; message?: unknown };
      error_code?: unknown;
      error_msg?: unknown;
      code?: unknown;
      message?: unknown;
    };
    const code = doc.error?.code ?? doc.error_code ?? doc.code;
    const message = doc.error?.message ?? doc.error_msg ?? doc.message;
    return {
      code: typeof code === 'string' ? code : null,
      message: typeof message === 'string' ? message : cleanServerMessage(body),
    };
  } catch {
    return { code: null, message: cleanServerMessage(body) };
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface ImsErrorContext {
  /** The cloud's name, for "check ak and sk of cloud X". */
  readonly cloud?: string;
  /** 'access-key' when the request was signed with AK/SK (a 401 then means the signature). */
  readonly auth?: 'token' | 'access-key';
  /** The answer's Date header and this machine's time when it came: a 401 with the two >15 min apart is the clock. */
  readonly serverDate?: string | string[] | undefined;
  readonly now?: number;
}

/** The gateway refuses a signed request whose time is further than this from its own. */
const MAX_SKEW_MS = 15 * 60_000;

function clockSkewed(context: ImsErrorContext, message: string): boolean {
  const date = Array.isArray(context.serverDate) ? context.serverDate[0] : context.serverDate;
  const server = date ? Date.parse(date) : NaN;
  if (!Number.isNaN(server) && context.now !== undefined && Math.abs(server - context.now) > MAX_SKEW_MS) return true;
  return /x-sdk-date/i.test(message) && /15 min|expired|server time|skew/i.test(message);
}

/** The error for a non-2xx answer from IMS (or its gateway). */
export function imsError(status: number, body: string, context: ImsErrorContext = {}): ImagedropError {
  const { code, message } = parseImsErrorBody(body);
  const server = message ? message.slice(0, 500) : undefined;
  const extra = { httpStatus: status, ...(server ? { serverMessage: server } : {}), ...(code ? { detail: code } : {}) };
  const cloud = context.cloud ? ` of cloud '${context.cloud}'` : '';
  if (code?.startsWith('APIGW.') || (status === 401 && context.auth === 'access-key')) {
    if (status === 401 || code === 'APIGW.0301' || code === 'APIGW.0303') {
      if (context.auth === 'access-key' && clockSkewed(context, message)) {
        return new ImagedropError(
          'auth/clock-skew',
          "IMS refused the request's time (X-Sdk-Date): this computer's clock is more than 15 minutes off; set it right (NTP) and try again.",
          extra,
        );
      }
      if (context.auth === 'access-key') {
        return new ImagedropError(
          'auth/access-key-rejected',
          `IMS refused the access key's signature: check ak and sk${cloud} (and security_token for temporary keys, which expire).`,
          extra,
        );
      }
    }
    if (code === 'APIGW.0308' || status === 429) {
      return new ImagedropError('ims/throttled', 'IMS is limiting requests: wait a moment and try again.', {
        ...extra,
        retryable: true,
      });
    }
  }
  const rule = (code ? IMG_RULES[code] : undefined) ?? STATUS_RULES[status];
  if (!rule) {
    return new ImagedropError(
      status >= 500 ? 'ims/server-error' : 'ims/unexpected-status',
      `IMS answered with an unexpected HTTP ${status}${code ? ` (${code})` : ''}${status >= 500 ? ': try again in a few minutes' : ''}.`,
      { ...extra, retryable: status >= 500 },
    );
  }
  const tag = code && IMG_RULES[code] ? ` (${code})` : '';
  return new ImagedropError(rule.code, `${capitalize(rule.what)}${tag}: ${rule.todo}.`, {
    ...extra,
    retryable: rule.retryable ?? false,
  });
}

export interface FailedJob {
  readonly jobId: string;
  readonly errorCode: string | null;
  readonly failReason: string | null;
}

/**
 * One sentence for a job that ended FAIL, from its error_code and fail_reason: what IMS means by the
 * code (when known), IMS's own reason in its words, and what to do.
 */
export function jobFailError(job: FailedJob): ImagedropError {
  const rule = job.errorCode ? IMG_RULES[job.errorCode] : undefined;
  const reason =
    job.failReason
      ?.trim()
      .replace(/\s+/g, ' ')
      .replace(/[.\s]+$/, '') ?? '';
  const said = [job.errorCode, reason].filter(Boolean).join(': ');
  const detail = `job ${job.jobId}${job.errorCode ? `, ${job.errorCode}` : ''}`;
  if (rule) {
    return new ImagedropError(
      rule.code === 'ims/bad-request' ? 'ims/job-failed' : rule.code,
      `The IMS job failed because ${rule.what}${said ? ` (${said})` : ''}: ${rule.todo}.`,
      { retryable: rule.retryable ?? false, detail, ...(reason ? { serverMessage: reason } : {}) },
    );
  }
  return new ImagedropError(
    'ims/job-failed',
    `The IMS job failed${said ? ` (${said})` : ' without saying why'}: check the file and the image settings, then try again; if it keeps failing, ask Huawei Cloud support about job ${job.jobId}.`,
    { retryable: true, detail, ...(reason ? { serverMessage: reason } : {}) },
  );
}

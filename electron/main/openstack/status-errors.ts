// Every status the image service and Keystone answer → one ImagedropError: a stable code, one
// sentence a user can act on, a retryable flag, and the server's own message cleaned of HTML.
import type { AppErrorCode } from '../../../shared/errors.ts';
import { ImagedropError } from '../errors.ts';
import type { Service } from './http.ts';

/**
 * Glance's JSON error bodies look like {"message": "...<br /><br />\n\n\n", "code": "400 Bad Request",
 * "title": "Bad Request"}; Keystone's like {"error": {"message": "...", "code": 401}}. Either may be
 * HTML when a proxy answers. Returns the plain message, or '' when there is none.
 */
export function cleanServerMessage(body: string): string {
  let text = body.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown; error?: { message?: unknown }; title?: unknown };
      const message = parsed.message ?? parsed.error?.message ?? parsed.title;
      text = typeof message === 'string' ? message : '';
    } catch {
      // keep the raw text
    }
  }
  return plain(text).slice(0, 500);
}

/** HTML and Glance's <br /> junk removed, whitespace collapsed. */
function plain(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<head>[\s\S]*?<\/head>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The message of an error body in the service's own JSON shape, raw; null for anything else.
 * Keystone: {"error": {"message": "...", "code": 401, ...}}. Glance (webob's JSON faults, also
 * keystonemiddleware's in front of it): {"message": "...", "code": "400 Bad Request", "title": ...}.
 */
export function shapedServerMessage(service: Service, body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const p = parsed as { message?: unknown; code?: unknown; error?: unknown };
  if (service === 'keystone') {
    const e = p.error as { message?: unknown; code?: unknown } | null | undefined;
    return typeof e === 'object' && e !== null && typeof e.message === 'string' && typeof e.code === 'number'
      ? e.message
      : null;
  }
  return typeof p.message === 'string' && typeof p.code === 'string' && /^\d{3}\b/.test(p.code) ? p.message : null;
}

/**
 * The server's own words for an error, cleaned, and only from an answer in that service's JSON
 * error shape: any other server (a login portal, a metadata service, whatever an auth URL or a
 * catalog entry points at) gets no text of its answer into an error, so that a request to an
 * arbitrary URL cannot be used to read that URL's content back.
 */
export function serverText(service: Service, body: string): string {
  const message = shapedServerMessage(service, body);
  return message === null ? '' : plain(message).slice(0, 500);
}

/** At most this many characters of a server's reason go into the sentence itself. */
const REASON_MAX = 240;

/**
 * Glance's reason for a 400, short enough for a sentence: the first paragraph of its message (the
 * jsonschema dump that follows is left out), long quoted values cut, and for a schema failure the
 * property it is about. '' when the answer is not Glance's.
 */
export function glanceReason(body: string): string {
  const message = shapedServerMessage('glance', body);
  if (message === null) return '';
  const raw = message.replace(/<br\s*\/?>/gi, '\n');
  const first = raw.split(/\n\s*\n/)[0] ?? raw;
  const field = /Failed validating '[^']+' in schema\['properties'\]\['([^']+)'\]/.exec(raw)?.[1];
  let reason = plain(first)
    .replace(/^Provided object does not match schema '[^']*': /, '')
    .replace(/'([^']{41,})'/g, (_m, value: string) => `'${value.slice(0, 24)}…' (${value.length} characters)`);
  if (field && !reason.startsWith(field)) reason = `${field}: ${reason}`;
  reason = reason.replace(/[.\s]+$/, '');
  return reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason;
}

interface StatusRule {
  readonly code: AppErrorCode;
  readonly message: string;
  readonly retryable: boolean;
}

/** The image service's documented statuses, in the words a user needs. */
const GLANCE_STATUS: Readonly<Record<number, StatusRule>> = {
  400: {
    code: 'glance/bad-request',
    message: 'The image service refused the request as invalid: check the image settings.',
    retryable: false,
  },
  401: {
    code: 'auth/token-rejected',
    message: 'The image service did not accept the session: sign in again.',
    retryable: false,
  },
  403: {
    code: 'auth/forbidden',
    message:
      "Your role in this project does not allow this: ask the cloud's administrator, or work on an image your project owns.",
    retryable: false,
  },
  404: {
    code: 'glance/not-found',
    message: 'The image does not exist, or your project cannot see it: refresh the list and check the image id.',
    retryable: false,
  },
  409: {
    code: 'glance/conflict',
    message: 'The image is not waiting for data: it already has data, or another upload is running.',
    retryable: false,
  },
  410: {
    code: 'glance/gone',
    message: 'The image was deleted while its data was being uploaded: upload the file again to a new image.',
    retryable: false,
  },
  413: {
    code: 'glance/too-large',
    message:
      "The image is larger than the image service accepts: ask the cloud's administrator for a larger image_size_cap, or convert it to a smaller qcow2.",
    retryable: false,
  },
  415: {
    code: 'glance/unsupported-media-type',
    message:
      'The image service does not accept the data in the form it was sent: check the disk format, and report it if it keeps happening.',
    retryable: false,
  },
  500: {
    code: 'glance/server-error',
    message:
      "The image service failed with an internal error: try again, and if it persists ask the cloud's administrator to check the glance-api log.",
    retryable: true,
  },
  502: {
    code: 'glance/unavailable',
    message: 'A proxy in front of the image service could not reach it (502): try again in a few minutes.',
    retryable: true,
  },
  503: {
    code: 'glance/unavailable',
    message: 'The image service is unavailable right now (503): try again in a few minutes.',
    retryable: true,
  },
  504: {
    code: 'glance/unavailable',
    message: 'A proxy in front of the image service timed out (504): try again in a few minutes.',
    retryable: true,
  },
};

/** Finer codes for a few answers whose server message says more than the status. */
function refineGlance(status: number, server: string): StatusRule | null {
  if (status === 400 && /disk_format.*container_format.*must be set/i.test(server)) {
    return {
      code: 'glance/formats-not-set',
      message: 'The image has no disk format or container format yet: set both before uploading its data.',
      retryable: false,
    };
  }
  if (status === 400 && /store for identifier (\S+) not found/i.test(server)) {
    const store = /store for identifier (\S+) not found/i.exec(server)?.[1];
    return {
      code: 'glance/unknown-store',
      message: `The image service has no store named ${store}: pick one of the cloud's stores.`,
      retryable: false,
    };
  }
  if (status === 400 && /no image found with id/i.test(server)) {
    // A 400 (not 404) with this text answers a list whose `marker` image no longer exists.
    return {
      code: 'glance/bad-request',
      message:
        'The image list could not go on: the image it was continuing from no longer exists (deleted meanwhile); list the images again.',
      retryable: true,
    };
  }
  if (status === 403 && /publicize_image/i.test(server)) {
    return {
      code: 'auth/forbidden',
      message: 'Only an administrator may make images public on this cloud: choose private, shared or community.',
      retryable: false,
    };
  }
  if (status === 413 && /quota/i.test(server)) {
    return {
      code: 'glance/quota-exceeded',
      message:
        "This upload would exceed your project's image storage quota: delete images you no longer need, or ask for a larger quota.",
      retryable: false,
    };
  }
  return null;
}

const KEYSTONE_STATUS: Readonly<Record<number, StatusRule>> = {
  400: {
    code: 'config/invalid',
    message: 'Keystone refused the sign-in request as invalid: check the user, project and domain fields.',
    retryable: false,
  },
  401: {
    code: 'auth/invalid-credentials',
    message: 'Keystone refused the credentials: check the user name, password, domains and project.',
    retryable: false,
  },
  403: {
    code: 'auth/forbidden',
    message: 'Keystone does not allow this user to sign in to that project: check the project and your roles.',
    retryable: false,
  },
  404: {
    code: 'config/invalid',
    message: 'There is no Keystone v3 API at this auth URL: check it (it usually ends in /v3).',
    retryable: false,
  },
};

function keystoneRule(status: number): StatusRule | undefined {
  // A redirect or a versions document (Glance answers 300 to any unknown path) is not Keystone.
  if (status >= 300 && status < 400) return KEYSTONE_STATUS[404];
  // Keystone takes a POST to /v3/auth/tokens. A server that does not implement POST (501, what
  // Python's http.server answers) or not on that path (405) is some other web server.
  if (status === 405 || status === 501) {
    return {
      code: 'config/invalid',
      message: `The server at this auth URL is not Keystone (it does not take a sign-in there: HTTP ${status}): check the auth URL; it usually ends in /v3.`,
      retryable: false,
    };
  }
  if (status >= 500) {
    return {
      code: 'auth/unavailable',
      message: `Keystone failed with HTTP ${status}: try again in a few minutes.`,
      retryable: true,
    };
  }
  return KEYSTONE_STATUS[status];
}

/** Glance's generic 400, with its reason in the sentence when it gave one. */
function glanceBadRequest(body: string): StatusRule | null {
  const reason = glanceReason(body);
  if (!reason) return null;
  return {
    code: 'glance/bad-request',
    message: `The image service refused the request as invalid (it said: ${reason}): check the image settings.`,
    retryable: false,
  };
}

/** The error for a non-2xx answer from Keystone or the image service. */
export function statusError(service: Service, status: number, body: string): ImagedropError {
  const server = serverText(service, body);
  const identity = service === 'keystone' || service === 'iam';
  let rule = (service === 'glance'
    ? (refineGlance(status, server) ?? (status === 400 ? glanceBadRequest(body) : null) ?? GLANCE_STATUS[status])
    : identity
      ? keystoneRule(status)
      : undefined) ?? {
    code: identity
      ? 'auth/unexpected-status'
      : service === 'ims'
        ? 'ims/unexpected-status'
        : 'glance/unexpected-status',
    message: `${service === 'keystone' ? 'Keystone' : service === 'iam' ? 'IAM' : service === 'ims' ? 'IMS' : 'The image service'} answered with an unexpected HTTP ${status}.`,
    retryable: status >= 500,
  };
  // Huawei's IAM speaks Keystone v3: the same rules, in the name its users know.
  if (service === 'iam')
    rule = { ...rule, message: rule.message.replace(/Keystone v3/g, 'IAM v3').replace(/Keystone/g, 'IAM') };
  return new ImagedropError(rule.code, rule.message, {
    retryable: rule.retryable,
    httpStatus: status,
    ...(server ? { serverMessage: server } : {}),
  });
}

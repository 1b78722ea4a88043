// Rules about an auth URL that every side applies the same way: the IPC schema, the core when it
// reads clouds.yaml or a typed-in connection, the CLI and the Connect view. Pure string work (no
// URL class here: shared/ uses nothing but the language).

interface UrlParts {
  readonly scheme: string;
  readonly userinfo: string | null;
  /** Lower-cased; an IPv6 literal keeps its brackets. */
  readonly host: string;
  readonly rest: string;
}

function parts(url: string): UrlParts | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^/?#@]*)@)?(\[[^\]]*\]|[^/?#:]*)(?::\d*)?(.*)$/i.exec(url.trim());
  if (!m) return null;
  return { scheme: m[1]!.toLowerCase(), userinfo: m[2] ?? null, host: m[3]!.toLowerCase(), rest: m[4] ?? '' };
}

/**
 * Why this auth URL is refused, or null. Keystone's URL never needs a query, a fragment or a user
 * name in it; any of them is either a mistake or a way to make the app send its sign-in request
 * somewhere the user did not mean.
 */
export function authUrlProblem(url: string): string | null {
  const p = parts(url);
  if (!p || (p.scheme !== 'http' && p.scheme !== 'https') || p.host === '') {
    return 'is not an http:// or https:// URL';
  }
  if (p.userinfo !== null) return 'has a user name or password in it (user@host): give it in the credentials instead';
  if (p.rest.includes('?') || p.rest.includes('#')) {
    return 'has a query or a fragment (?… or #…): give the Keystone URL alone, such as https://keystone.example.org:5000/v3';
  }
  return null;
}

/** True for names and addresses that stay on this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === '[::1]' || h === '[0:0:0:0:0:0:0:1]' || h === '[::ffff:127.0.0.1]';
}

/** The host of a plain http:// URL that leaves this machine, or null (https, loopback, unparsable). */
export function plainHttpHost(url: string): string | null {
  const p = parts(url);
  if (!p || p.scheme !== 'http' || p.host === '' || isLoopbackHost(p.host)) return null;
  return p.host;
}

/** What crosses the network when signing in: the words for the warning. */
export type SecretKind = 'password' | 'application-credential' | 'token';

const SECRET_WORDS: Readonly<Record<SecretKind, string>> = {
  password: 'your password',
  'application-credential': 'the application credential secret',
  token: 'your token',
};

/**
 * The warning for a sign-in over plain http:// to another machine, or null. Everyone on the
 * network path can read what is sent: the secret, and the token that every later call carries.
 */
export function plainHttpWarning(authUrl: string, secret: SecretKind = 'password'): string | null {
  const host = plainHttpHost(authUrl);
  if (host === null) return null;
  const what = secret === 'token' ? 'your token' : `${SECRET_WORDS[secret]} and then your token`;
  return `The auth URL uses plain http:// to ${host}: ${what} would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.`;
}

/** The same for the image service: every call to it carries the token. */
export function plainHttpImageWarning(imageEndpoint: string): string | null {
  const host = plainHttpHost(imageEndpoint);
  return host === null
    ? null
    : `The image service is reached over plain http:// at ${host}: your token crosses the network unencrypted with every call; ask the cloud's administrator for an https:// endpoint.`;
}

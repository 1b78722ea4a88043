// Who may talk to `imagedrop serve`: the checks every request passes before it reaches the core.
// Pure functions over header values, so that each rule is unit-tested on its own.
//
//   Host    must name this server (its address, a loopback name, a name from its certificate):
//           a page of evil.example whose DNS now points at 127.0.0.1 (DNS rebinding) is refused.
//   Origin  of every call and of the event stream, when the browser sends one, must be this very
//           origin (scheme, host and port as the browser sees them, through an SSH tunnel too);
//           calls must send one. No CORS header is ever answered, so no other origin can read.
//   Sec-Fetch-Site  where the browser sends it, calls and the event stream must be same-origin.
import { isIP } from 'node:net';
import os from 'node:os';

export type Scheme = 'http' | 'https';

/** `127.0.0.1`, `::1` and every 127/8 address; `localhost` only by name (see isLoopbackName). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(bare);
  return false;
}

export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '[::]';
}

/** A host name as it appears in a Host header or URL: lower case, IPv6 in brackets, no trailing dot. */
export function normalHostname(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  return isIP(lower) === 6 ? `[${lower}]` : lower;
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), or null if malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader || hostHeader.length > 255) return null;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(hostHeader.trim());
  if (!m) return null;
  return normalHostname(m[1]!.replace(/^\[|\]$/g, ''));
}

export interface AllowedNamesInput {
  /** The address bound (--host). */
  readonly host: string;
  /** DNS names and IP addresses from the certificate's subjectAltName, under TLS. */
  readonly certificateNames?: readonly string[];
  /** For a wildcard bind: this machine's addresses and host name (os.networkInterfaces, os.hostname). */
  readonly machine?: { readonly addresses: readonly string[]; readonly hostname: string };
}

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The host names this server answers to. */
export function allowedHostnames(input: AllowedNamesInput): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  if (!isWildcardAddress(input.host)) names.add(normalHostname(input.host));
  for (const n of input.certificateNames ?? []) names.add(normalHostname(n));
  if (isWildcardAddress(input.host)) {
    const machine = input.machine ?? {
      addresses: Object.values(os.networkInterfaces())
        .flat()
        .map((i) => i?.address ?? '')
        .filter(Boolean),
      hostname: os.hostname(),
    };
    for (const a of machine.addresses) names.add(normalHostname(a.replace(/%.*$/, '')));
    if (machine.hostname) names.add(normalHostname(machine.hostname));
  }
  return names;
}

/** DNS and IP entries of an X509Certificate's subjectAltName ("DNS:a, IP Address:1.2.3.4"). */
export function certificateNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .map((part) => /^(?:DNS|IP Address):(.+)$/.exec(part.trim())?.[1]?.trim() ?? '')
    .filter((n) => n !== '' && !n.includes('*'));
}

export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostnameOf(hostHeader);
  return name !== null && allowed.has(name);
}

/**
 * True when `origin` is exactly the origin the browser is on: the request's scheme and its Host
 * header (which already passed isAllowedHost). Default ports compare equal (URL drops them).
 */
export function isSameOrigin(origin: string | undefined, hostHeader: string | undefined, scheme: Scheme): boolean {
  if (!origin || !hostHeader || origin === 'null') return false;
  try {
    const o = new URL(origin);
    const self = new URL(`${scheme}://${hostHeader}`);
    return o.protocol === self.protocol && o.host === self.host && o.origin === origin.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Fetch metadata: a call or the event stream must come from our own pages (where the browser says). */
export function isSameOriginFetch(secFetchSite: string | undefined): boolean {
  return secFetchSite === undefined || secFetchSite === 'same-origin';
}

// Where IMS and OBS are, in the order ims.md §1.4 settles: the user's override, else the token's
// catalog (types `image` and `object`, in the cloud's region), else the host pattern Huawei's
// tools use, https://{service}.{region}.{cloud domain}, the cloud domain read off the IAM URL.
import type { EndpointInterface } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import { imageApiRoot, pickEndpoint } from '../openstack/catalog.ts';
import type { CatalogEntry } from '../openstack/keystone.ts';

export type EndpointSource = 'override' | 'catalog' | 'pattern';

export interface ServiceEndpoint {
  /** IMS: the root under which /v1/… and /v2/… live. OBS: scheme, host and port. */
  readonly url: string;
  readonly source: EndpointSource;
}

/** A region id as Huawei writes them: cn-north-4, ap-southeast-1, eu-west-101, la-north-2, eu-de. */
const REGION_LABEL = /^[a-z]{2}(-[a-z]+)+(-\d+)?$/;

/**
 * The cloud's domain from its IAM URL: iam.cn-north-4.myhuaweicloud.com → myhuaweicloud.com,
 * iam.myhuaweicloud.com → myhuaweicloud.com, iam.eu-de.otc.t-systems.com → otc.t-systems.com.
 * Null when the host does not start with "iam" (nothing to read a pattern from).
 */
export function cloudDomainOf(authUrl: string): string | null {
  let host: string;
  try {
    host = new URL(authUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  const labels = host.split('.');
  if (!labels[0]?.startsWith('iam') || labels.length < 3) return null;
  const rest = labels.slice(1);
  if (REGION_LABEL.test(rest[0]!) && rest.length >= 3) rest.shift();
  return rest.join('.');
}

/** https://{service}.{region}.{domain}, or null when the IAM URL gives no domain to build it on. */
export function patternEndpoint(service: 'ims' | 'obs', region: string, authUrl: string): string | null {
  const domain = cloudDomainOf(authUrl);
  return domain ? `https://${service}.${region}.${domain}` : null;
}

function originOnly(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function fromCatalog(
  catalog: readonly CatalogEntry[],
  type: string,
  options: { interface: EndpointInterface; region: string },
): string | null {
  if (!catalog.some((s) => s.type === type)) return null;
  try {
    return pickEndpoint(catalog, type, options).url;
  } catch {
    return null; // the type is there, but not for this region or interface: fall through to the pattern
  }
}

export interface ResolveEndpointsInput {
  readonly cloud: string;
  readonly authUrl: string;
  readonly region: string;
  readonly interface: EndpointInterface;
  readonly catalog: readonly CatalogEntry[];
  readonly imsOverride?: string;
  readonly obsOverride?: string;
}

export interface ImsEndpoints {
  readonly ims: ServiceEndpoint;
  /** Null when neither an override, the catalog nor the pattern gives one. */
  readonly obs: ServiceEndpoint | null;
}

/** IMS's and OBS's endpoints; a cloud that gives no way to find IMS is one clear sentence. */
export function resolveImsEndpoints(input: ResolveEndpointsInput): ImsEndpoints {
  const options = { interface: input.interface, region: input.region };
  let ims: ServiceEndpoint | null = null;
  if (input.imsOverride) ims = { url: imageApiRoot(input.imsOverride), source: 'override' };
  else {
    const url = fromCatalog(input.catalog, 'image', options);
    if (url) ims = { url: imageApiRoot(url), source: 'catalog' };
    else {
      const pattern = patternEndpoint('ims', input.region, input.authUrl);
      if (pattern) ims = { url: pattern, source: 'pattern' };
    }
  }
  if (!ims) {
    throw new ImagedropError(
      'auth/no-image-endpoint',
      `Imagedrop cannot tell where IMS is for cloud '${input.cloud}' (no catalog entry, and the auth URL is not an iam.… host): set image_endpoint_override, e.g. https://ims.${input.region}.myhuaweicloud.com.`,
    );
  }
  let obs: ServiceEndpoint | null = null;
  if (input.obsOverride) obs = { url: originOnly(input.obsOverride), source: 'override' };
  else {
    const url = fromCatalog(input.catalog, 'object', options);
    if (url) obs = { url: originOnly(url), source: 'catalog' };
    else {
      const pattern = patternEndpoint('obs', input.region, input.authUrl);
      if (pattern) obs = { url: pattern, source: 'pattern' };
    }
  }
  return { ims, obs };
}

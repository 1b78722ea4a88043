// Picking the image service's endpoint out of a Keystone catalog (pure), and the two forms
// image endpoints take in real catalogs: unversioned ('http://host:9292', 'https://host/image')
// and versioned ('http://host:9292/v2', 'https://host/image/v2.1/').
import type { EndpointInterface } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import type { CatalogEntry } from './keystone.ts';

export interface PickedEndpoint {
  readonly url: string;
  readonly region: string | null;
}

export function pickEndpoint(
  catalog: readonly CatalogEntry[],
  serviceType: string,
  options: { interface: EndpointInterface; region?: string },
): PickedEndpoint {
  const services = catalog.filter((s) => s.type === serviceType);
  const all = services.flatMap((s) => s.endpoints);
  const wanted = options.interface;
  const byInterface = all.filter((e) => e.interface.replace(/URL$/, '') === wanted);
  const regionOf = (e: { region?: string | null; region_id?: string | null }) => e.region_id ?? e.region ?? null;
  const matches = options.region
    ? byInterface.filter((e) => regionOf(e) === options.region || e.region === options.region)
    : byInterface;
  const where = `interface ${wanted}${options.region ? ` in region ${options.region}` : ''}`;
  if (services.length === 0) {
    throw new ImagedropError(
      'auth/no-image-endpoint',
      `The cloud's catalog has no ${serviceType} service: this project cannot use the image service here.`,
    );
  }
  if (matches.length === 0) {
    const offered = [
      ...new Set(all.map((e) => `${e.interface.replace(/URL$/, '')}${regionOf(e) ? ` in ${regionOf(e)}` : ''}`)),
    ];
    throw new ImagedropError(
      'auth/no-image-endpoint',
      `The catalog has no ${serviceType} endpoint for ${where}: set interface and region_name to one it offers (${offered.join(', ')}).`,
    );
  }
  const regions = [...new Set(matches.map(regionOf))];
  if (!options.region && regions.length > 1) {
    throw new ImagedropError(
      'auth/no-image-endpoint',
      `Several regions offer the ${serviceType} service (${regions.join(', ')}): choose one with region_name.`,
    );
  }
  const chosen = matches[0]!;
  return { url: chosen.url, region: regionOf(chosen) };
}

/**
 * The root under which '/v2/...' paths live: strips a trailing version segment and slashes.
 * 'http://h:9292/v2/' → 'http://h:9292'; 'https://h/image/v2.1' → 'https://h/image'.
 */
export function imageApiRoot(endpointUrl: string): string {
  return endpointUrl.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '');
}

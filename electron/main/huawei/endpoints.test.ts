import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../openstack/keystone.ts';
import { cloudDomainOf, patternEndpoint, resolveImsEndpoints } from './endpoints.ts';

const catalog: CatalogEntry[] = [
  {
    type: 'image',
    name: 'ims',
    endpoints: [
      {
        interface: 'public',
        region: 'cn-north-4',
        region_id: 'cn-north-4',
        url: 'https://ims.cn-north-4.example.com/v2',
      },
      {
        interface: 'public',
        region: 'ap-southeast-1',
        region_id: 'ap-southeast-1',
        url: 'https://ims.ap-southeast-1.example.com',
      },
    ],
  },
  {
    type: 'object',
    name: 'obs',
    endpoints: [
      {
        interface: 'public',
        region: 'cn-north-4',
        region_id: 'cn-north-4',
        url: 'https://obs.cn-north-4.example.com/',
      },
    ],
  },
];
const base = {
  cloud: 'hw',
  authUrl: 'https://iam.cn-north-4.myhuaweicloud.com/v3',
  region: 'cn-north-4',
  interface: 'public' as const,
};

describe('the host pattern from the IAM URL', () => {
  it.each([
    ['https://iam.cn-north-4.myhuaweicloud.com/v3', 'myhuaweicloud.com'],
    ['https://iam.myhuaweicloud.com/v3', 'myhuaweicloud.com'],
    ['https://iam.eu-west-101.myhuaweicloud.eu/v3', 'myhuaweicloud.eu'],
    ['https://iam.eu-de.otc.t-systems.com:443/v3', 'otc.t-systems.com'],
    ['https://iam.eu-west-0.prod-cloud-ocb.orange-business.com/v3', 'prod-cloud-ocb.orange-business.com'],
    ['http://127.0.0.1:18090/v3', null],
    ['https://keystone.example.org/v3', null],
  ])('%s → %s', (url, domain) => {
    expect(cloudDomainOf(url)).toBe(domain);
  });

  it('builds https://{service}.{region}.{domain}', () => {
    expect(patternEndpoint('ims', 'ap-southeast-3', 'https://iam.myhuaweicloud.com/v3')).toBe(
      'https://ims.ap-southeast-3.myhuaweicloud.com',
    );
    expect(patternEndpoint('obs', 'eu-de', 'https://iam.eu-de.otc.t-systems.com/v3')).toBe(
      'https://obs.eu-de.otc.t-systems.com',
    );
  });
});

describe('resolveImsEndpoints: override, else catalog, else pattern', () => {
  it('takes the catalog’s entries for the region, without a version and with only the OBS origin', () => {
    expect(resolveImsEndpoints({ ...base, catalog })).toEqual({
      ims: { url: 'https://ims.cn-north-4.example.com', source: 'catalog' },
      obs: { url: 'https://obs.cn-north-4.example.com', source: 'catalog' },
    });
    expect(resolveImsEndpoints({ ...base, region: 'ap-southeast-1', catalog }).ims.url).toBe(
      'https://ims.ap-southeast-1.example.com',
    );
  });

  it('an override wins over the catalog', () => {
    const r = resolveImsEndpoints({
      ...base,
      catalog,
      imsOverride: 'https://my-ims.example.net/',
      obsOverride: 'http://127.0.0.1:18080',
    });
    expect(r).toEqual({
      ims: { url: 'https://my-ims.example.net', source: 'override' },
      obs: { url: 'http://127.0.0.1:18080', source: 'override' },
    });
  });

  it('falls back to the pattern where the catalog has nothing for the region (or no catalog: AK/SK)', () => {
    expect(resolveImsEndpoints({ ...base, region: 'la-south-2', catalog })).toEqual({
      ims: { url: 'https://ims.la-south-2.myhuaweicloud.com', source: 'pattern' },
      obs: { url: 'https://obs.la-south-2.myhuaweicloud.com', source: 'pattern' },
    });
    expect(resolveImsEndpoints({ ...base, catalog: [] }).ims.source).toBe('pattern');
  });

  it('says what to set when nothing tells where IMS is', () => {
    expect(() => resolveImsEndpoints({ ...base, authUrl: 'http://127.0.0.1:18090/v3', catalog: [] })).toThrow(
      expect.objectContaining({
        code: 'auth/no-image-endpoint',
        message: expect.stringMatching(/set image_endpoint_override/),
      }),
    );
    expect(
      resolveImsEndpoints({
        ...base,
        authUrl: 'http://127.0.0.1:18090/v3',
        catalog: [],
        imsOverride: 'http://127.0.0.1:18090',
      }).obs,
    ).toBeNull();
  });
});

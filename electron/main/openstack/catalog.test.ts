import { describe, expect, it } from 'vitest';
import { imageApiRoot, pickEndpoint } from './catalog.ts';
import type { CatalogEntry } from './keystone.ts';

const catalog: CatalogEntry[] = [
  {
    type: 'identity',
    endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'http://k:5000/v3' }],
  },
  {
    type: 'image',
    name: 'glance',
    endpoints: [
      { interface: 'public', region_id: 'RegionOne', region: 'RegionOne', url: 'https://img.example.org/image' },
      { interface: 'internal', region_id: 'RegionOne', region: 'RegionOne', url: 'http://10.0.0.5:9292/v2/' },
      { interface: 'admin', region_id: 'RegionOne', region: 'RegionOne', url: 'http://10.0.0.5:9292' },
      { interface: 'public', region_id: 'RegionTwo', region: 'RegionTwo', url: 'https://img2.example.org:9292/v2.1' },
    ],
  },
];

describe('pickEndpoint', () => {
  it('picks by interface and region', () => {
    expect(pickEndpoint(catalog, 'image', { interface: 'public', region: 'RegionOne' })).toEqual({
      url: 'https://img.example.org/image',
      region: 'RegionOne',
    });
    expect(pickEndpoint(catalog, 'image', { interface: 'internal' }).url).toBe('http://10.0.0.5:9292/v2/');
    expect(pickEndpoint(catalog, 'image', { interface: 'admin' }).url).toBe('http://10.0.0.5:9292');
  });

  it('asks for a region when several offer the service', () => {
    expect(() => pickEndpoint(catalog, 'image', { interface: 'public' })).toThrow(/RegionOne, RegionTwo.*region_name/);
  });

  it('names what the catalog offers when nothing matches', () => {
    expect(() => pickEndpoint(catalog, 'image', { interface: 'public', region: 'Nowhere' })).toThrow(
      /no image endpoint for interface public in region Nowhere.*public in RegionOne/,
    );
  });

  it('says when there is no image service at all', () => {
    expect(() => pickEndpoint(catalog.slice(0, 1), 'image', { interface: 'public' })).toThrow(/no image service/);
  });

  it('accepts the old publicURL interface names', () => {
    const old: CatalogEntry[] = [
      { type: 'image', endpoints: [{ interface: 'publicURL', region: 'R', url: 'http://g' }] },
    ];
    expect(pickEndpoint(old, 'image', { interface: 'public' }).url).toBe('http://g');
  });
});

describe('imageApiRoot', () => {
  it.each([
    ['http://127.0.0.1:9292', 'http://127.0.0.1:9292'],
    ['http://127.0.0.1:9292/', 'http://127.0.0.1:9292'],
    ['http://127.0.0.1:9292/v2', 'http://127.0.0.1:9292'],
    ['http://127.0.0.1:9292/v2/', 'http://127.0.0.1:9292'],
    ['https://h/image', 'https://h/image'],
    ['https://h/image/v2.1/', 'https://h/image'],
  ])('%s → %s', (input, root) => {
    expect(imageApiRoot(input)).toBe(root);
  });
});

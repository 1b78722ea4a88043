import { describe, expect, it } from 'vitest';
import {
  allowedHostnames,
  certificateNames,
  hostnameOf,
  isAllowedHost,
  isLoopbackAddress,
  isSameOrigin,
  isSameOriginFetch,
} from './guard.ts';

describe('the Host check', () => {
  const loopback = allowedHostnames({ host: '127.0.0.1' });

  it.each([
    ['127.0.0.1:41234', true],
    ['127.0.0.1:8080', true], // through an SSH tunnel
    ['localhost:8080', true],
    ['LOCALHOST.:8080', true],
    ['[::1]:8080', true],
    ['evil.example:41234', false], // DNS rebinding: a name that now points here
    ['127.0.0.1.nip.io', false],
    ['127.0.0.2', false],
    ['', false],
    [undefined, false],
    ['127.0.0.1:8080@evil', false],
    ['127.0.0.1 evil', false],
  ])('%s → %s', (host, expected) => {
    expect(isAllowedHost(host, loopback)).toBe(expected);
  });

  it('parses names, ports and bracketed IPv6', () => {
    expect(hostnameOf('Build01.Example.org.:443')).toBe('build01.example.org');
    expect(hostnameOf('[::1]')).toBe('[::1]');
    expect(hostnameOf('a/b')).toBeNull();
  });

  it('a wildcard bind answers to this machine and its certificate names; a named bind to its name', () => {
    const wild = allowedHostnames({
      host: '0.0.0.0',
      certificateNames: ['build01.example.org', '10.0.0.5'],
      machine: { addresses: ['10.0.0.5', 'fe80::1%eth0'], hostname: 'build01' },
    });
    expect([...wild].sort()).toEqual(
      ['10.0.0.5', '127.0.0.1', '[::1]', '[fe80::1]', 'build01', 'build01.example.org', 'localhost'].sort(),
    );
    expect(allowedHostnames({ host: 'build01.example.org' }).has('build01.example.org')).toBe(true);
    expect(allowedHostnames({ host: 'build01.example.org' }).has('0.0.0.0')).toBe(false);
  });

  it('reads DNS and IP names of a subjectAltName, never a wildcard', () => {
    expect(certificateNames('DNS:localhost, DNS:*.example.org, IP Address:127.0.0.1, email:a@b')).toEqual([
      'localhost',
      '127.0.0.1',
    ]);
    expect(certificateNames(undefined)).toEqual([]);
  });

  it('knows the loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '::', 'localhost']) expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe('the Origin check', () => {
  it.each([
    ['http://127.0.0.1:41234', '127.0.0.1:41234', 'http', true],
    ['http://localhost:8080', 'localhost:8080', 'http', true],
    ['https://build01.example.org', 'build01.example.org:443', 'https', true],
    ['http://127.0.0.1:41235', '127.0.0.1:41234', 'http', false], // another port is another origin
    ['https://127.0.0.1:41234', '127.0.0.1:41234', 'http', false],
    ['http://evil.example', '127.0.0.1:41234', 'http', false],
    ['null', '127.0.0.1:41234', 'http', false],
    ['http://127.0.0.1:41234/path', '127.0.0.1:41234', 'http', false],
    [undefined, '127.0.0.1:41234', 'http', false],
  ] as const)('%s on %s (%s) → %s', (origin, host, scheme, expected) => {
    expect(isSameOrigin(origin, host, scheme)).toBe(expected);
  });

  it('fetch metadata: same-origin or none given', () => {
    expect(isSameOriginFetch(undefined)).toBe(true);
    expect(isSameOriginFetch('same-origin')).toBe(true);
    for (const v of ['same-site', 'cross-site', 'none']) expect(isSameOriginFetch(v)).toBe(false);
  });
});

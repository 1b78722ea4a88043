import { describe, expect, it } from 'vitest';
import { parseInvokeArgs } from './ipc-schema.ts';
import { authUrlProblem, isLoopbackHost, plainHttpHost, plainHttpImageWarning, plainHttpWarning } from './auth-url.ts';

describe('authUrlProblem', () => {
  it.each([
    'https://keystone.example.org:5000/v3',
    'http://127.0.0.1:5000/v3',
    'https://h/identity/v3/',
    'http://[::1]:5000',
    'HTTPS://Keystone.Example.org',
  ])('accepts %s', (url) => expect(authUrlProblem(url)).toBeNull());

  it.each([
    ['http://169.254.169.254/latest/meta-data?x=1', /query or a fragment/],
    ['https://k:5000/v3#frag', /query or a fragment/],
    ['https://k:5000/v3?', /query or a fragment/],
    ['https://user:pass@k:5000/v3', /user name or password/],
    ['https://@k/v3', /user name or password/],
    ['ftp://k/v3', /not an http/],
    ['file:///etc/passwd', /not an http/],
    ['keystone.example.org:5000', /not an http/],
    ['', /not an http/],
  ])('refuses %s', (url, why) => expect(authUrlProblem(url)).toMatch(why));
});

describe('plain http to another machine', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['api.localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['localhost.example.org', false],
    ['127.0.0.1.nip.io', false],
    ['[::2]', false],
  ])('%s is loopback: %s', (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));

  it.each([
    ['http://keystone.example.org:5000/v3', 'keystone.example.org'],
    ['http://10.1.2.3/identity', '10.1.2.3'],
    ['HTTP://Keystone.Example.ORG', 'keystone.example.org'],
    ['http://[fe80::1]:5000', '[fe80::1]'],
    ['https://keystone.example.org', null],
    ['http://127.0.0.1:5000/v3', null],
    ['http://localhost:5000', null],
    ['not a url', null],
  ])('%s → %s', (url, host) => expect(plainHttpHost(url)).toBe(host));

  it('words the warning for what is sent', () => {
    expect(plainHttpWarning('http://k.example.org:5000/v3')).toBe(
      'The auth URL uses plain http:// to k.example.org: your password and then your token would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.',
    );
    expect(plainHttpWarning('http://k.example.org/v3', 'application-credential')).toMatch(
      /the application credential secret and then your token would cross/,
    );
    expect(plainHttpWarning('http://k.example.org/v3', 'token')).toMatch(/: your token would cross/);
    expect(plainHttpWarning('https://k.example.org/v3')).toBeNull();
    expect(plainHttpWarning('http://127.0.0.1:5000/v3')).toBeNull();
    expect(plainHttpImageWarning('http://glance.example.org:9292')).toMatch(
      /^The image service is reached over plain http:\/\/ at glance\.example\.org/,
    );
    expect(plainHttpImageWarning('http://127.0.0.1:9292')).toBeNull();
  });
});

describe('the IPC schema of connect', () => {
  const manual = (authUrl: string) => ({
    kind: 'manual',
    authUrl,
    remember: false,
    auth: { type: 'password', username: 'u', password: 'p', projectName: 'x' },
  });

  it.each([
    ['http://127.0.0.1:5000/v3?next=http://169.254.169.254/', /the auth URL has a query or a fragment/],
    ['https://k/v3#x', /the auth URL has a query or a fragment/],
    ['https://u:p@k/v3', /the auth URL has a user name or password/],
  ])('refuses %s', (url, why) => {
    const r = parseInvokeArgs('connect', [manual(url)]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(why);
  });

  it('takes a plain auth URL, and a cloud request that says it means the remembered one', () => {
    expect(parseInvokeArgs('connect', [manual('https://k:5000/v3')]).ok).toBe(true);
    expect(parseInvokeArgs('connect', [{ kind: 'cloud', cloud: 'prod', remembered: true }])).toEqual({
      ok: true,
      args: [{ kind: 'cloud', cloud: 'prod', remembered: true }],
    });
  });
});

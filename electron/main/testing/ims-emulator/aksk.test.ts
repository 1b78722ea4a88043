// The emulator's signature check is written apart from the client's signer: both are held to the
// documented vector, and each accepts what the other makes and nothing tampered with.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../huawei/signer.ts';
import { gatewayCanonicalRequest, verifyAkSk, type AccessKeyEntry } from './aksk.ts';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('the gateway’s canonical request', () => {
  it('is the documented one for the guide’s request', () => {
    const canonical = gatewayCanonicalRequest(
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?marker=13551d6b-755d-4757-b956-536f674975c0&limit=2',
      { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': '20191115T033655Z' },
      ['content-type', 'host', 'x-sdk-date'],
      sha(''),
    );
    expect(sha(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });
});

describe('verifyAkSk', () => {
  const keys: AccessKeyEntry[] = [
    { accessKey: 'images:uploader', secretKey: 'objstore-secret-key' },
    { accessKey: 'TEMP', secretKey: 'temp-secret', securityToken: 'sts', expiresAt: new Date('2030-01-01T00:00:00Z') },
  ];
  const now = Date.parse('2026-12-06T12:00:00Z');

  function signed(
    overrides: {
      method?: string;
      url?: string;
      body?: string;
      key?: AccessKeyEntry;
      date?: number;
      token?: boolean;
    } = {},
  ) {
    const key = overrides.key ?? keys[0]!;
    const url = overrides.url ?? 'http://127.0.0.1:18090/v1/cloudimages/abc/upload?b=2&a=1';
    const body = overrides.body ?? '{"image_url":"images:k"}';
    const headers = signRequest({
      method: overrides.method ?? 'PUT',
      url,
      headers: { 'content-type': 'application/json' },
      body,
      accessKey: key.accessKey,
      secretKey: key.secretKey,
      ...(key.securityToken && overrides.token !== false ? { securityToken: key.securityToken } : {}),
      projectId: 'p1',
      date: new Date(overrides.date ?? now),
    });
    const u = new URL(url);
    return {
      method: overrides.method ?? 'PUT',
      rawUrl: `${u.pathname}${u.search}`,
      headers: { ...headers, host: u.host } as IncomingHttpHeaders,
      body: Buffer.from(body),
    };
  }

  it('accepts what the client signs, a colon in the access key included', () => {
    const r = verifyAkSk({ ...signed(), keys, now });
    expect(r).toMatchObject({ ok: true, key: { accessKey: 'images:uploader' } });
  });

  it.each([
    ['the body', (s: ReturnType<typeof signed>) => ({ ...s, body: Buffer.from('{"image_url":"images:other"}') })],
    ['the path', (s: ReturnType<typeof signed>) => ({ ...s, rawUrl: s.rawUrl.replace('abc', 'abd') })],
    ['the query', (s: ReturnType<typeof signed>) => ({ ...s, rawUrl: s.rawUrl.replace('a=1', 'a=2') })],
    ['the method', (s: ReturnType<typeof signed>) => ({ ...s, method: 'POST' })],
    ['the project', (s: ReturnType<typeof signed>) => ({ ...s, headers: { ...s.headers, 'x-project-id': 'p2' } })],
    ['the host', (s: ReturnType<typeof signed>) => ({ ...s, headers: { ...s.headers, host: '127.0.0.1:9' } })],
  ])('refuses a request whose %s changed', (_what, tamper) => {
    const r = verifyAkSk({ ...tamper(signed()), keys, now });
    expect(r).toMatchObject({
      ok: false,
      status: 401,
      code: 'APIGW.0301',
      message: expect.stringMatching(/signature fail/),
    });
  });

  it('refuses an unknown key and a wrong secret', () => {
    expect(verifyAkSk({ ...signed({ key: { accessKey: 'NOPE', secretKey: 'x' } }), keys, now })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not exist/),
    });
    expect(
      verifyAkSk({ ...signed({ key: { accessKey: 'images:uploader', secretKey: 'wrong' } }), keys, now }),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/signature fail/),
    });
  });

  it('allows 15 minutes of clock difference, not more', () => {
    expect(verifyAkSk({ ...signed({ date: now - 14 * 60_000 }), keys, now }).ok).toBe(true);
    expect(verifyAkSk({ ...signed({ date: now + 16 * 60_000 }), keys, now })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/X-Sdk-Date\) is more than 15 minutes away/),
    });
  });

  it('a temporary key needs its security token, signed, and only until it expires', () => {
    expect(verifyAkSk({ ...signed({ key: keys[1] }), keys, now }).ok).toBe(true);
    expect(verifyAkSk({ ...signed({ key: keys[1], token: false }), keys, now })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/X-Security-Token/),
    });
    expect(
      verifyAkSk({
        ...signed({ key: keys[1], date: Date.parse('2030-01-01T00:00:01Z') }),
        keys,
        now: Date.parse('2030-01-01T00:00:01Z'),
      }),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/security token has expired/),
    });
  });

  it('UNSIGNED-PAYLOAD leaves the body out', () => {
    const headers = signRequest({
      method: 'PUT',
      url: 'http://127.0.0.1:18090/v2/images/x/file',
      unsignedPayload: { size: 5 },
      accessKey: 'images:uploader',
      secretKey: 'objstore-secret-key',
      date: new Date(now),
    });
    const r = verifyAkSk({
      method: 'PUT',
      rawUrl: '/v2/images/x/file',
      headers: { ...headers, host: '127.0.0.1:18090' },
      body: Buffer.from('12345'),
      keys,
      now,
    });
    expect(r.ok).toBe(true);
  });
});

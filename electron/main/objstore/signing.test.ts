// The three signatures, checked against documented examples and against esdk-obs-nodejs's own
// signer (Huawei's OBS SDK, the reference for the OBS form, which no server here can check).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodeKey, signRequest, v2CanonicalResource, v2StringToSign, type RequestToSign } from './signing.ts';

const require = createRequire(import.meta.url);
interface EsdkOpt {
  method: string;
  uri: string;
  urlPath: string;
  headers: Record<string, string>;
}
type EsdkSigner = (this: object, opt: EsdkOpt, methodName: string, context: object) => void;
const EsdkUtils = require('esdk-obs-nodejs/lib/utils.js') as { prototype: { doAuth: EsdkSigner; v4Auth: EsdkSigner } };
// esdk's two signature contexts (lib/utils.js v2SignatureContext, obsSignatureContext).
const ESDK_CONTEXT = {
  v2: {
    signature: 'v2',
    headerPrefix: 'x-amz-',
    headerMetaPrefix: 'x-amz-meta-',
    authPrefix: 'AWS',
    stsToken: 'x-amz-security-token',
  },
  obs: {
    signature: 'obs',
    headerPrefix: 'x-obs-',
    headerMetaPrefix: 'x-obs-meta-',
    authPrefix: 'OBS',
    stsToken: 'x-obs-security-token',
  },
};
const quietLog = { isLevelEnabled: () => false, runLog: () => {} };

// AWS's documentation example credentials.
const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

function req(over: Partial<RequestToSign> & { headers?: Record<string, string> }): RequestToSign {
  return {
    method: 'GET',
    host: '127.0.0.1:18080',
    path: '/images/disk.qcow2',
    query: '',
    ...over,
    headers: { ...over.headers },
  };
}

describe('v2 / OBS string to sign', () => {
  it.each([
    ['a plain GET', req({}), 'GET\n\n\n\n/images/disk.qcow2'],
    [
      'a part upload: Content-MD5, sub-resources sorted',
      req({ method: 'PUT', query: 'uploadId=abc%3D&partNumber=7', headers: { 'content-md5': 'MD5==', date: 'D' } }),
      'PUT\nMD5==\n\nD\n/images/disk.qcow2?partNumber=7&uploadId=abc=',
    ],
    [
      'initiate: a bare sub-resource, Content-Type, x-amz headers sorted and trimmed',
      req({
        method: 'POST',
        query: 'uploads',
        headers: {
          'content-type': 'application/octet-stream',
          'x-amz-meta-b': ' 2 ',
          'x-amz-meta-a': '1',
          'x-obs-meta-c': '3',
        },
      }),
      'POST\n\napplication/octet-stream\n\nx-amz-meta-a:1\nx-amz-meta-b:2\n/images/disk.qcow2?uploads',
    ],
    [
      'a listing: prefix and markers are not sub-resources',
      req({ path: '/images', query: 'max-uploads=10&prefix=a%2Fb&uploads' }),
      'GET\n\n\n\n/images?uploads',
    ],
    [
      'virtual-host style: the bucket comes from the host',
      req({ path: '/disk.qcow2', query: 'location', virtualHostBucket: 'images' }),
      'GET\n\n\n\n/images/disk.qcow2?location',
    ],
  ])('%s', (_name, request, expected) => {
    expect(v2StringToSign(request, 'v2')).toBe(expected);
  });

  it('the OBS form signs x-obs-* headers and not x-amz-* ones', () => {
    const request = req({ headers: { 'x-obs-meta-a': '1', 'x-amz-meta-b': '2', date: 'D' } });
    expect(v2StringToSign(request, 'obs')).toBe('GET\n\n\nD\nx-obs-meta-a:1\n/images/disk.qcow2');
  });

  it('keeps an encoded key as sent in the resource', () => {
    expect(v2CanonicalResource({ path: `/images/${encodeKey('a b+c/ü!.img')}`, query: '' })).toBe(
      '/images/a%20b%2Bc/%C3%BC%21.img',
    );
  });
});

describe('AWS signature v2', () => {
  // AWS's S3 REST authentication documentation, "Object GET" and "Object PUT" (bucket johnsmith).
  it.each([
    ['GET', '', 'Tue, 27 Mar 2007 19:36:42 +0000', 'bWq2s1WEIj+Ydj0vQ697zp+IXMU='],
    ['PUT', 'image/jpeg', 'Tue, 27 Mar 2007 21:15:45 +0000', 'MyyxeRY7whkBe+bq8fHCL/2kKUg='],
  ])('gives the documented signature for %s', (method, contentType, date, signature) => {
    const request = req({
      method,
      host: 'johnsmith.s3.amazonaws.com',
      path: '/photos/puppy.jpg',
      virtualHostBucket: 'johnsmith',
      headers: { date, ...(contentType ? { 'content-type': contentType } : {}) },
    });
    signRequest(request, AWS_EXAMPLE, 'v2', 'us-east-1');
    expect(request.headers.authorization).toBe(`AWS AKIAIOSFODNN7EXAMPLE:${signature}`);
  });
});

describe("v2 and OBS signatures equal esdk-obs-nodejs's", () => {
  const now = new Date('2026-11-25T10:00:00Z');
  const cases: [string, RequestToSign][] = [
    ['initiate', req({ method: 'POST', query: 'uploads', headers: { 'content-type': 'application/octet-stream' } })],
    [
      'upload part',
      req({
        method: 'PUT',
        query: 'partNumber=3&uploadId=MTBk-ZWQ',
        headers: { 'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==', 'content-length': '102400' },
      }),
    ],
    ['list parts, second page', req({ query: 'max-parts=1000&part-number-marker=1000&uploadId=MTBk' })],
    ['complete', req({ method: 'POST', query: 'uploadId=MTBk', headers: { 'content-type': 'application/xml' } })],
    ['abort', req({ method: 'DELETE', query: 'uploadId=MTBk' })],
    ['list uploads', req({ path: '/images', query: 'prefix=imagedrop%2F&uploads' })],
    ['head bucket', req({ method: 'HEAD', path: '/images' })],
  ];
  for (const flavour of ['v2', 'obs'] as const) {
    for (const token of [undefined, 'temporary-token/+=']) {
      it.each(cases)(`${flavour}${token ? ' with a security token' : ''}: %s`, (_name, request) => {
        const credentials = {
          accessKeyId: 'images:uploader',
          secretAccessKey: 'objstore-secret-key',
          ...(token ? { securityToken: token } : {}),
        };
        signRequest(request, credentials, flavour, 'us-east-1', now);
        // esdk names the three classic headers in title case.
        const esdkHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (name === 'authorization') continue;
          const title = { 'content-md5': 'Content-MD5', 'content-type': 'Content-Type', date: 'Date' }[name] ?? name;
          esdkHeaders[title] = value;
        }
        const opt: EsdkOpt = {
          method: request.method,
          uri: request.path,
          urlPath: request.query ? `?${request.query}` : '',
          headers: esdkHeaders,
        };
        EsdkUtils.prototype.doAuth.call(
          { ak: credentials.accessKeyId, sk: credentials.secretAccessKey, isCname: false, log: quietLog },
          opt,
          'test',
          ESDK_CONTEXT[flavour],
        );
        expect(request.headers.authorization).toBe(opt.headers.Authorization);
        expect(
          request.headers.authorization!.startsWith(flavour === 'v2' ? 'AWS images:uploader:' : 'OBS images:uploader:'),
        ).toBe(true);
        if (token)
          expect(request.headers[flavour === 'v2' ? 'x-amz-security-token' : 'x-obs-security-token']).toBe(token);
      });
    }
  }
});

describe('AWS signature v4', () => {
  it('gives the documented signature (S3 "GET Bucket lifecycle" example)', () => {
    // AWS's SigV4 for S3 documentation: GET /?lifecycle on examplebucket, an empty payload.
    const request = req({ host: 'examplebucket.s3.amazonaws.com', path: '/', query: 'lifecycle' });
    signRequest(request, AWS_EXAMPLE, 'v4', 'us-east-1', new Date('2013-05-24T00:00:00Z'), {
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(request.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    );
  });

  it('gives the documented signature (S3 "GET Bucket (list objects)" example, query sorted)', () => {
    const request = req({ host: 'examplebucket.s3.amazonaws.com', path: '/', query: 'max-keys=2&prefix=J' });
    signRequest(request, AWS_EXAMPLE, 'v4', 'us-east-1', new Date('2013-05-24T00:00:00Z'), {
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(request.headers.authorization).toMatch(
      /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/,
    );
  });

  it.each([
    [
      'a part upload',
      req({
        method: 'PUT',
        query: 'partNumber=3&uploadId=MTBk',
        headers: { 'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==', 'content-length': '102400' },
      }),
    ],
    ['initiate', req({ method: 'POST', query: 'uploads' })],
    ['list parts', req({ query: 'max-parts=1000&part-number-marker=1000&uploadId=MTBk' })],
  ])("with UNSIGNED-PAYLOAD, equals esdk-obs-nodejs's v4 signer: %s", (_name, request) => {
    const credentials = {
      accessKeyId: 'images:uploader',
      secretAccessKey: 'objstore-secret-key',
      securityToken: 'tok',
    };
    signRequest(request, credentials, 'v4', 'cn-north-4', new Date('2026-11-25T10:00:00Z'));
    expect(request.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(request.headers['x-amz-security-token']).toBe('tok');
    const { authorization, ...signed } = request.headers;
    const opt: EsdkOpt = {
      method: request.method,
      uri: request.path,
      urlPath: `?${request.query}`,
      headers: { ...signed },
    };
    EsdkUtils.prototype.v4Auth.call(
      { ak: credentials.accessKeyId, sk: credentials.secretAccessKey, region: 'cn-north-4', log: quietLog },
      opt,
      'test',
      ESDK_CONTEXT.v2,
    );
    // esdk separates the three fields with ',' where AWS (and aws4) use ', '.
    expect(authorization!.replaceAll(', ', ',')).toBe(opt.headers.Authorization);
    expect(authorization).toContain('Credential=images:uploader/20261125/cn-north-4/s3/aws4_request');
  });
});

describe('encodeKey', () => {
  it.each([
    ['images/disk.qcow2', 'images/disk.qcow2'],
    ['a b', 'a%20b'],
    ['a+b=c&d', 'a%2Bb%3Dc%26d'],
    ["x!'()*", 'x%21%27%28%29%2A'],
    ['ü/€', '%C3%BC/%E2%82%AC'],
    ['-_.~', '-_.~'],
  ])('%s → %s', (key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
  });
});

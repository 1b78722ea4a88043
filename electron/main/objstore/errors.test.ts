import { describe, expect, it } from 'vitest';
import { networkFailure, parseS3Error, s3Error, type RequestContext } from './errors.ts';

const ctx: RequestContext = {
  operation: 'upload-part',
  host: 'obs.cn-north-4.myhuaweicloud.com',
  bucket: 'images',
  key: 'disk.qcow2',
  uploadId: 'U1',
  partNumber: 7,
  accessKeyId: 'AK1',
  region: 'cn-north-4',
};

function doc(code: string, message = 'm', extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>R1</RequestId></Error>`;
}

describe('s3Error', () => {
  it.each([
    [404, 'NoSuchBucket', 'objstore/no-such-bucket', false, /bucket "images" does not exist/],
    [400, 'InvalidBucketName', 'objstore/invalid-bucket', false, /not|refuses/],
    [
      403,
      'AccessDenied',
      'objstore/access-denied',
      false,
      /AK1 is not allowed to write objects to the bucket "images"/,
    ],
    [
      403,
      'SignatureDoesNotMatch',
      'objstore/signature',
      false,
      /check the secret key that goes with the access key AK1/,
    ],
    [403, 'InvalidAccessKeyId', 'objstore/unknown-access-key', false, /does not know the access key AK1/],
    [400, 'ExpiredToken', 'objstore/expired-token', false, /get new temporary keys/],
    [403, 'InvalidToken', 'objstore/expired-token', false, /security token/],
    [403, 'RequestTimeTooSkewed', 'objstore/clock-skew', false, /set the clock right/],
    [404, 'NoSuchUpload', 'objstore/no-such-upload', false, /start the upload again/],
    [404, 'NoSuchKey', 'objstore/no-such-key', false, /no object "disk.qcow2"/],
    [400, 'BadDigest', 'objstore/bad-digest', true, /part 7 .* altered/],
    [400, 'InvalidDigest', 'objstore/bad-digest', true, /MD5/],
    [400, 'InvalidPart', 'objstore/invalid-part', false, /resume the upload/],
    [400, 'InvalidPartOrder', 'objstore/invalid-part', false, /InvalidPartOrder/],
    [400, 'EntityTooSmall', 'objstore/invalid-part', false, /EntityTooSmall/],
    [400, 'EntityTooLarge', 'objstore/too-large', false, /smaller parts/],
    [400, 'KeyTooLongError', 'objstore/invalid-key', false, /shorter name/],
    [503, 'SlowDown', 'objstore/slow-down', true, /fewer requests/],
    [400, 'RequestTimeout', 'objstore/request-timeout', true, /part 7/],
    [500, 'InternalError', 'objstore/server-error', true, /try again later/],
    [503, 'ServiceUnavailable', 'objstore/server-error', true, /try again later/],
    [403, 'QuotaExceeded', 'objstore/quota-exceeded', false, /raise the quota/],
    [501, 'NotImplemented', 'objstore/not-supported', false, /S3-compatible/],
    [400, 'InvalidArgument', 'objstore/bad-request', false, /InvalidArgument: m\)/],
    [502, 'Whatever', 'objstore/server-error', true, /502/],
  ])('%i %s → %s', (status, code, appCode, retryable, message) => {
    const e = s3Error(status, parseS3Error(doc(code)), ctx);
    expect(e.code).toBe(appCode);
    expect(e.retryable).toBe(retryable);
    expect(e.message).toMatch(message);
    expect(e.httpStatus).toBe(status);
    expect(e.serverMessage).toBe(`${code}: m`);
    expect(e.detail).toBe('upload-part, request R1');
  });

  it('names the region the server expects, from <Region> (AWS, OBS)', () => {
    const e = s3Error(400, parseS3Error(doc('AuthorizationHeaderMalformed', 'bad', '<Region>eu-west-0</Region>')), ctx);
    expect(e.code).toBe('objstore/wrong-region');
    expect(e.message).toBe(
      'The bucket "images" at obs.cn-north-4.myhuaweicloud.com is in region eu-west-0, not cn-north-4: set the region to eu-west-0.',
    );
  });

  it("names the region the server expects, from Swift's message", () => {
    const message = "The authorization header is malformed; the region 'cn-north-4' is wrong; expecting 'us-east-1'";
    const e = s3Error(400, parseS3Error(doc('AuthorizationHeaderMalformed', message)), ctx);
    expect(e.message).toMatch(/is in region us-east-1, not cn-north-4: set the region to us-east-1\./);
  });

  it('names the endpoint of a PermanentRedirect', () => {
    const e = s3Error(
      301,
      parseS3Error(doc('PermanentRedirect', 'm', '<Endpoint>images.obs.eu-west-0.myhuaweicloud.com</Endpoint>')),
      ctx,
    );
    expect(e.code).toBe('objstore/wrong-endpoint');
    expect(e.message).toMatch(/use the endpoint images\.obs\.eu-west-0\.myhuaweicloud\.com/);
  });

  it.each([
    ['head-bucket', 404, 'objstore/no-such-bucket'],
    ['head-object', 404, 'objstore/no-such-key'],
    ['head-bucket', 403, 'objstore/access-denied'],
    ['head-bucket', 503, 'objstore/server-error'],
    ['head-bucket', 418, 'objstore/unexpected-status'],
  ] as const)('a bodyless %s answer %i → %s', (operation, status, appCode) => {
    const e = s3Error(status, undefined, { ...ctx, operation, uploadId: undefined } as RequestContext);
    expect(e.code).toBe(appCode);
  });

  it('reads a bucket region header on a bodyless redirect', () => {
    const e = s3Error(301, undefined, { ...ctx, operation: 'head-bucket' }, { 'x-amz-bucket-region': 'eu-west-0' });
    expect(e.message).toMatch(/is in region eu-west-0/);
  });
});

describe('parseS3Error', () => {
  it('is undefined for anything but an S3 error document', () => {
    expect(parseS3Error('')).toBeUndefined();
    expect(parseS3Error('<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(parseS3Error('<Error><Message>no code</Message></Error>')).toBeUndefined();
  });
  it('decodes entities', () => {
    expect(parseS3Error(doc('X', 'a &amp; b &quot;c&quot;'))?.message).toBe('a & b "c"');
  });
});

describe('networkFailure', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['ECONNREFUSED', 'network/refused', true],
    ['ENOTFOUND', 'network/dns', false],
    ['EAI_AGAIN', 'network/dns', true],
    ['UND_ERR_HEADERS_TIMEOUT', 'network/timeout', true],
    ['UND_ERR_SOCKET', 'network/reset', true],
    ['ECONNRESET', 'network/reset', true],
    ['EHOSTUNREACH', 'network/unreachable', true],
    ['CERT_HAS_EXPIRED', 'network/tls', false],
  ])('%s → %s', (code, appCode, retryable) => {
    const e = networkFailure(Object.assign(new Error('fetch failed'), { cause: err(code) }), {
      host: 'h:1',
      operation: 'upload-part',
    });
    expect(e.code).toBe(appCode);
    expect(e.retryable).toBe(retryable);
  });
});

import { describe, expect, it } from 'vitest';
import { parseJson } from './http.ts';
import { cleanServerMessage, statusError } from './status-errors.ts';

const glanceBody = (message: string, code: string) =>
  JSON.stringify({ message: `${message}<br /><br />\n\n\n`, code, title: code.replace(/^\d+ /, '') });

describe('cleanServerMessage', () => {
  it("removes Glance's <br /> junk from JSON error bodies", () => {
    expect(
      cleanServerMessage(
        glanceBody('Properties disk_format, container_format must be set prior to saving data.', '400 Bad Request'),
      ),
    ).toBe('Properties disk_format, container_format must be set prior to saving data.');
  });

  it('reads Keystone error bodies', () => {
    expect(
      cleanServerMessage('{"error": {"message": "The request you have made requires authentication.", "code": 401}}'),
    ).toBe('The request you have made requires authentication.');
  });

  it('strips HTML pages that a proxy or curl-style Accept produce', () => {
    expect(
      cleanServerMessage(
        '<html><head><title>413 Request Entity Too Large</title></head><body><h1>413 Request Entity Too Large</h1>Image exceeds the storage quota<br /></body></html>',
      ),
    ).toBe('413 Request Entity Too Large Image exceeds the storage quota');
  });
});

// The status table, row by row: code, retryable, and a sentence that says what to do.
const ROWS: [number, string, string, boolean, RegExp][] = [
  [400, 'Bad thing', 'glance/bad-request', false, /invalid/],
  [
    400,
    'Properties disk_format, container_format must be set prior to saving data.',
    'glance/formats-not-set',
    false,
    /set both/,
  ],
  [400, 'Store for identifier nosuch not found', 'glance/unknown-store', false, /no store named nosuch/],
  [
    400,
    'No image found with ID 0b5a3d2e-1c1b-4b7e-9d55-2f9c0d1e2a3b',
    'glance/bad-request',
    true,
    /list the images again/,
  ],
  [401, 'This server could not verify that you are authorized', 'auth/token-rejected', false, /sign in again/],
  [403, 'Not allowed to upload image data for image x', 'auth/forbidden', false, /role/],
  [403, 'You are not authorized to complete publicize_image action.', 'auth/forbidden', false, /public/],
  [404, 'No image found with ID x', 'glance/not-found', false, /does not exist/],
  [
    409,
    'Image status transition from active to saving is not allowed',
    'glance/conflict',
    false,
    /^The image is not waiting for data: it already has data, or another upload is running\.$/,
  ],
  [410, 'Image x could not be found after upload.', 'glance/gone', false, /deleted while/],
  [413, 'The incoming image is too large: The provided image is too large.', 'glance/too-large', false, /larger than/],
  [
    413,
    'Image exceeds the storage quota: The size of the data 52428800 will exceed the limit.',
    'glance/quota-exceeded',
    false,
    /quota/,
  ],
  [
    415,
    'The request media type text/plain is not supported by this server.',
    'glance/unsupported-media-type',
    false,
    /does not accept/,
  ],
  [500, 'Internal Server Error', 'glance/server-error', true, /try again/],
  [502, 'Bad Gateway', 'glance/unavailable', true, /try again/],
  [503, 'Service Unavailable', 'glance/unavailable', true, /unavailable/],
  [504, 'Gateway Timeout', 'glance/unavailable', true, /timed out/],
  [418, "I'm a teapot", 'glance/unexpected-status', false, /418/],
];

describe('statusError (image service)', () => {
  it.each(ROWS)('%i %s → %s', (status, message, code, retryable, sentence) => {
    const e = statusError('glance', status, glanceBody(message, `${status} X`));
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(sentence);
    expect(e.serverMessage).toBe(message);
    expect(e.message).not.toMatch(/<br/);
  });
});

describe('statusError (Keystone)', () => {
  it('401 is a credentials problem', () => {
    const e = statusError(
      'keystone',
      401,
      '{"error":{"message":"The request you have made requires authentication."}}',
    );
    expect(e.code).toBe('auth/invalid-credentials');
    expect(e.message).toMatch(/password/);
  });
  it('404 means the auth URL is not Keystone v3', () => {
    expect(statusError('keystone', 404, 'Not Found').message).toMatch(/auth URL/);
  });
  it('an unexpected status gets a Keystone code, not a Glance one', () => {
    const e = statusError('keystone', 418, '{"error":{"message":"teapot"}}');
    expect(e.code).toBe('auth/unexpected-status');
    expect(e.message).toBe('Keystone answered with an unexpected HTTP 418.');
  });
  it('a body that is not JSON gets a Keystone code, not a Glance one', () => {
    const res = { status: 201, headers: {}, text: '<html>login portal</html>' };
    expect(() => parseJson(res, 'http://k:5000/v3/auth/tokens', 'keystone')).toThrow(
      expect.objectContaining({
        code: 'auth/unexpected-response',
        message: expect.stringMatching(/^Keystone at k:5000/),
      }),
    );
    expect(() => parseJson(res, 'http://g:9292/v2/images', 'glance')).toThrow(
      expect.objectContaining({ code: 'glance/unexpected-response' }),
    );
  });
  it('5xx is retryable', () => {
    const e = statusError('keystone', 503, '');
    expect(e.code).toBe('auth/unavailable');
    expect(e.retryable).toBe(true);
  });
});

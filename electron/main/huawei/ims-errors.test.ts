import { describe, expect, it } from 'vitest';
import { IMG_RULES, imsError, jobFailError, parseImsErrorBody } from './ims-errors.ts';

const imsBody = (code: string, message = 'IMS says so.') => JSON.stringify({ error: { code, message } });

describe('IMS error bodies', () => {
  it('reads IMS’s and the gateway’s shapes', () => {
    expect(parseImsErrorBody(imsBody('IMG.0057', 'empty'))).toEqual({ code: 'IMG.0057', message: 'empty' });
    expect(
      parseImsErrorBody('{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}'),
    ).toEqual({
      code: 'APIGW.0301',
      message: 'Incorrect IAM authentication information',
    });
    expect(parseImsErrorBody('<html><body>Bad gateway</body></html>')).toEqual({ code: null, message: 'Bad gateway' });
  });
});

describe('imsError: every IMG code is one sentence that says what to do', () => {
  it.each(Object.entries(IMG_RULES))('%s', (code, rule) => {
    const e = imsError(400, imsBody(code));
    expect(e.code).toBe(rule.code);
    expect(e.httpStatus).toBe(400);
    expect(e.detail).toBe(code);
    expect(e.serverMessage).toBe('IMS says so.');
    // one sentence: a capital, the code, a colon with the advice, one full stop at the end
    expect(e.message).toMatch(new RegExp(`^[A-Z].* \\(${code.replace('.', '\\.')}\\): [a-z].*[^.]\\.$`));
    expect(e.message.split(/\.\s+[A-Z]/).length).toBe(1);
    expect(e.retryable).toBe(rule.retryable ?? false);
  });

  it.each([
    [401, 'auth/token-rejected', false],
    [403, 'ims/forbidden', false],
    [404, 'ims/image-not-found', false],
    [409, 'ims/conflict', false],
    [413, 'ims/too-large', false],
    [429, 'ims/throttled', true],
    [500, 'ims/server-error', true],
    [502, 'ims/unavailable', true],
    [503, 'ims/unavailable', true],
    [504, 'ims/unavailable', true],
  ])('HTTP %i without an IMG code → %s', (status, code, retryable) => {
    const e = imsError(status, '<html>oops</html>');
    expect(e).toMatchObject({ code, retryable, httpStatus: status });
    expect(e.message).toMatch(/^[A-Z].*: .*\.$/);
  });

  it('an IMG code it does not know still says the status and the code', () => {
    expect(imsError(400, imsBody('IMG.0999'))).toMatchObject({
      code: 'ims/bad-request',
      message: 'IMS refused the request: check the image settings.',
    });
    expect(imsError(418, imsBody('IMG.0999'))).toMatchObject({
      code: 'ims/unexpected-status',
      message: 'IMS answered with an unexpected HTTP 418 (IMG.0999).',
    });
  });

  it('a refused signature names the key, or the clock when the answer’s Date is over 15 minutes away', () => {
    const body =
      '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}';
    expect(imsError(401, body, { auth: 'access-key', cloud: 'hw' })).toMatchObject({
      code: 'auth/access-key-rejected',
      message:
        "IMS refused the access key's signature: check ak and sk of cloud 'hw' (and security_token for temporary keys, which expire).",
    });
    const now = Date.parse('2026-12-06T12:00:00Z');
    const skewed = { auth: 'access-key' as const, serverDate: 'Sun, 06 Dec 2026 12:20:00 GMT', now };
    expect(imsError(401, body, skewed).code).toBe('auth/clock-skew');
    expect(imsError(401, body, { ...skewed, serverDate: 'Sun, 06 Dec 2026 12:10:00 GMT' }).code).toBe(
      'auth/access-key-rejected',
    );
    // a token session's 401 is the token, whatever the clock
    expect(imsError(401, '{}', { ...skewed, auth: 'token' }).code).toBe('auth/token-rejected');
  });
});

describe('jobFailError: one sentence from error_code and fail_reason', () => {
  it('a known code: what IMS means, its own reason, what to do', () => {
    const e = jobFailError({
      jobId: 'j1',
      errorCode: 'IMG.0058',
      failReason: 'The region of the bucket is inconsistent.  ',
    });
    expect(e).toMatchObject({
      code: 'ims/bucket-wrong-region',
      retryable: false,
      detail: 'job j1, IMG.0058',
      message:
        "The IMS job failed because the bucket is in another region than the IMS you are using (IMG.0058: The region of the bucket is inconsistent): upload the file to a bucket in the image's region, or use that region's IMS.",
    });
  });

  it('an unknown code, or none, still gives the reason and the job id to ask about', () => {
    expect(jobFailError({ jobId: 'j2', errorCode: 'IMG.0999', failReason: 'Disk on fire' }).message).toBe(
      'The IMS job failed (IMG.0999: Disk on fire): check the file and the image settings, then try again; if it keeps failing, ask Huawei Cloud support about job j2.',
    );
    expect(jobFailError({ jobId: 'j3', errorCode: null, failReason: null })).toMatchObject({
      code: 'ims/job-failed',
      message: expect.stringMatching(/^The IMS job failed without saying why: .*job j3\.$/),
    });
    // IMG.0001 in a job is not "a malformed request of ours": it stays a failed job
    expect(jobFailError({ jobId: 'j4', errorCode: 'IMG.0001', failReason: 'x' }).code).toBe('ims/job-failed');
  });
});

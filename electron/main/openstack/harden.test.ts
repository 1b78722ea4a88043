// Pure parts of issue 8 in the cloud clients: whose words may come back in an error (item 15),
// Glance's reason in the 400 sentence (item 12a), auth URLs refused and plain http:// warned
// about where clouds.yaml and the Connect view are read (items 11 and 15).
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitsSizeLimit } from '../../../shared/session.ts';
import { configFromManual } from '../core/remembered-connections.ts';
import { verdictLabel } from '../cli/inspect-command.ts';
import { inspectFile } from '../inspect/inspect-file.ts';
import { DEFAULT_SIZE_LIMIT } from './cloud-config.ts';
import { checkLocalFile } from '../files/local-file.ts';
import { parseJson } from './http.ts';
import { resolveCloud } from './cloud-config.ts';
import { glanceReason, serverText, statusError } from './status-errors.ts';

const keystoneBody = (message: string, code = 401) => JSON.stringify({ error: { code, message, title: 'X' } });
const glanceBody = (message: string, code = '400 Bad Request') => JSON.stringify({ message, code, title: 'X' });

describe('server text only from an answer in the service’s own error shape', () => {
  it.each([
    [
      'keystone',
      keystoneBody('The request you have made requires authentication.'),
      'The request you have made requires authentication.',
    ],
    ['keystone', JSON.stringify({ error: { message: 'no code' } }), ''],
    ['keystone', JSON.stringify({ message: 'flat', code: '401 X' }), ''],
    ['keystone', '<html>secret</html>', ''],
    ['keystone', 'secret', ''],
    ['glance', glanceBody('No image found with ID x<br /><br />\n\n\n', '404 Not Found'), 'No image found with ID x'],
    ['glance', JSON.stringify({ message: 'secret', code: 400 }), ''],
    ['glance', JSON.stringify({ message: 'secret', code: 'nope' }), ''],
    ['glance', keystoneBody('secret'), ''],
    ['glance', '[1,2]', ''],
  ] as const)('%s %s → %j', (service, body, text) => {
    expect(serverText(service, body)).toBe(text);
    expect(statusError(service, 418, body).serverMessage).toBe(text || undefined);
  });

  it('a body that is not JSON is described, never quoted', () => {
    const res = { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>INTERNAL SECRET</html>' };
    const e = (() => {
      try {
        parseJson(res, 'http://k:5000/v3/auth/tokens', 'keystone');
      } catch (x) {
        return x as { message: string; detail: string };
      }
      throw new Error('expected a failure');
    })();
    expect(e.detail).toBe('HTTP 200, text/html, 28 bytes');
    expect(JSON.stringify(e)).not.toContain('SECRET');
    expect(e.message).toBe(
      'Keystone at k:5000 answered with something that is not JSON: check that the URL points at the Keystone API.',
    );
  });

  it('the image service is "the image service" mid-sentence', () => {
    const res = { status: 200, headers: {}, text: 'x' };
    expect(() => parseJson(res, 'http://g:9292/v2/images', 'glance')).toThrow(
      'The image service at g:9292 answered with something that is not JSON: check that the URL points at the image service API.',
    );
  });
});

describe("Glance's reason for a 400", () => {
  const schemaFailure = (field: string, value: string, rule: string) =>
    glanceBody(
      `Provided object does not match schema 'image': '${value}' is too long\n\nFailed validating '${rule}' in schema['properties']['${field}']:\n    {'maxLength': 255}\n\nOn instance['${field}']:\n    '${value}'<br /><br />\n\n\n`,
    );

  it.each([
    [schemaFailure('name', 'x'.repeat(300), 'maxLength'), `name: '${'x'.repeat(24)}…' (300 characters) is too long`],
    [
      glanceBody("'min_disk' value out of range, must not exceed 2147483647.<br /><br />\n\n\n"),
      "'min_disk' value out of range, must not exceed 2147483647",
    ],
    [glanceBody('Invalid visibility value: secret'), 'Invalid visibility value: secret'],
    [glanceBody(`a${' word'.repeat(100)}`), expect.stringMatching(/^a( word){47} wo…$/)],
    ['<html>not glance</html>', ''],
  ])('%#', (body, reason) => {
    expect(glanceReason(body)).toEqual(reason);
  });

  it('goes into the sentence, and a 400 without one keeps the plain sentence', () => {
    expect(statusError('glance', 400, glanceBody('Invalid visibility value: secret')).message).toBe(
      'The image service refused the request as invalid (it said: Invalid visibility value: secret): check the image settings.',
    );
    expect(statusError('glance', 400, 'not json').message).toBe(
      'The image service refused the request as invalid: check the image settings.',
    );
  });
});

describe('auth URLs where the core reads them', () => {
  const raw = (authUrl: string) => ({ auth: { auth_url: authUrl, username: 'u', password: 'p', project_name: 'x' } });

  it('clouds.yaml: a query, a fragment or a user name in auth_url is refused, naming the cloud', () => {
    for (const url of ['https://k:5000/v3?a=b', 'https://k:5000/v3#f', 'https://u:p@k:5000/v3']) {
      expect(() => resolveCloud('prod', raw(url), '/etc/openstack/clouds.yaml')).toThrow(
        expect.objectContaining({
          code: 'config/invalid',
          message: expect.stringMatching(/^Cloud 'prod' in \/etc\/openstack\/clouds\.yaml: its auth_url has a/),
        }),
      );
    }
  });

  it('clouds.yaml: plain http:// to another machine is a warning, naming what would be sent', () => {
    expect(resolveCloud('prod', raw('http://k.example.org:5000/v3'), 'clouds.yaml').warnings).toEqual([
      "Cloud 'prod': The auth URL uses plain http:// to k.example.org: your password and then your token would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.",
    ]);
    const token = { auth: { auth_url: 'http://k.example.org/v3', token: 't', project_name: 'x' } };
    expect(resolveCloud('t', token, 'clouds.yaml').warnings.join()).toMatch(/: your token would cross/);
    expect(resolveCloud('local', raw('http://127.0.0.1:5000/v3'), 'clouds.yaml').warnings).toEqual([]);
    expect(resolveCloud('tls', raw('https://k.example.org:5000/v3'), 'clouds.yaml').warnings).toEqual([]);
  });

  it('the Connect view: the core refuses a query even if the IPC schema were bypassed, and warns on http://', () => {
    const manual = (authUrl: string) =>
      ({
        kind: 'manual',
        authUrl,
        remember: false,
        auth: { type: 'password', username: 'u', password: 'p', projectName: 'x' },
      }) as const;
    expect(() => configFromManual(manual('http://169.254.169.254/latest?x=1'), 'l')).toThrow(
      expect.objectContaining({
        code: 'config/invalid',
        message: expect.stringMatching(/^The auth URL has a query or a fragment/),
      }),
    );
    expect(configFromManual(manual('http://k.example.org/v3'), 'l').warnings).toEqual([
      expect.stringMatching(/^The auth URL uses plain http:\/\/ to k\.example\.org/),
    ]);
    expect(configFromManual(manual('https://k.example.org/v3'), 'l').warnings).toEqual([]);
  });
});

describe('the upload limit is exclusive (issue 8, item 12e)', () => {
  it.each([
    [0, 1, true],
    [999, 1000, true],
    [1000, 1000, false],
    [1001, 1000, false],
    [DEFAULT_SIZE_LIMIT - 1, DEFAULT_SIZE_LIMIT, true],
    [DEFAULT_SIZE_LIMIT, DEFAULT_SIZE_LIMIT, false],
  ])('%i bytes under a limit of %i: fits %s', (size, limit, fits) => {
    expect(fitsSizeLimit(size, limit)).toBe(fits);
  });

  it('preflight refuses a sparse file of exactly 128 GiB, and takes one byte less', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-limit-'));
    try {
      const at = path.join(dir, 'at.raw');
      const under = path.join(dir, 'under.raw');
      await writeFile(at, '');
      await truncate(at, DEFAULT_SIZE_LIMIT);
      await writeFile(under, '');
      await truncate(under, DEFAULT_SIZE_LIMIT - 1);
      expect(DEFAULT_SIZE_LIMIT).toBe(137_438_953_472);
      await expect(checkLocalFile(at, DEFAULT_SIZE_LIMIT)).rejects.toMatchObject({
        code: 'file/too-large',
        message: `${at} is 128 GiB, and this cloud takes only files smaller than 128 GiB (137,438,953,472 bytes, its image_size_limit): convert it to a smaller format (qcow2), or raise image_size_limit for the cloud if its administrator allows it.`,
      });
      expect((await checkLocalFile(under, DEFAULT_SIZE_LIMIT)).size).toBe(DEFAULT_SIZE_LIMIT - 1);
      // The inspector says the same for `inspect --cloud`, as a reason about the cloud.
      const report = await inspectFile(at, { sizeLimit: DEFAULT_SIZE_LIMIT });
      expect(report.reasons).toEqual([
        {
          code: 'over-size-limit',
          message: expect.stringMatching(/^The file is 128 GiB, and this cloud takes only files smaller than 128 GiB/),
        },
      ]);
      expect(verdictLabel(report)).toBe('safe, but this cloud will not take it');
      expect((await inspectFile(under, { sizeLimit: DEFAULT_SIZE_LIMIT })).reasons).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('labels a file unsafe when any reason is about its content, whatever the cloud says', () => {
    const reason = (code: string) => ({ code, message: '' }) as never;
    expect(verdictLabel({ safe: true, reasons: [] })).toBe('safe');
    expect(verdictLabel({ safe: false, reasons: [reason('format-not-accepted')] })).toBe(
      'safe, but this cloud will not take it',
    );
    expect(verdictLabel({ safe: false, reasons: [reason('format-not-accepted'), reason('over-size-limit')] })).toBe(
      'safe, but this cloud will not take it',
    );
    expect(verdictLabel({ safe: false, reasons: [reason('backing-file'), reason('over-size-limit')] })).toBe(
      'NOT SAFE',
    );
  });
});

// clouds.yaml for Huawei Cloud, Open Telekom Cloud and Flexible Engine, as python-otcextensions
// users write it: the image service it means, the account and the region, the access key.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRequestBody } from './keystone.ts';
import {
  chooseCloud,
  DEFAULT_IMS_NATIVE_LIMIT,
  huaweiIamCloud,
  regionOfProjectName,
  resolveCloud,
} from './cloud-config.ts';

const HUAWEI = 'https://iam.cn-north-4.myhuaweicloud.com/v3';
const password = (extra: Record<string, unknown> = {}) => ({
  auth: {
    auth_url: HUAWEI,
    username: 'ops',
    password: 's3cret',
    user_domain_name: 'hw-account',
    project_name: 'cn-north-4',
    ...extra,
  },
});

describe('the image service a cloud uses', () => {
  it.each([
    ['https://iam.cn-north-4.myhuaweicloud.com/v3', 'Huawei Cloud'],
    ['https://iam.myhuaweicloud.com/v3', 'Huawei Cloud'],
    ['https://iam.eu-west-101.myhuaweicloud.eu/v3', 'Huawei Cloud'],
    ['https://iam.eu-de.otc.t-systems.com:443/v3', 'Open Telekom Cloud'],
    ['https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3', 'Open Telekom Cloud'],
    ['https://iam.eu-west-0.prod-cloud-ocb.orange-business.com/v3', 'Flexible Engine'],
  ])('%s is %s IAM', (url, cloud) => {
    expect(huaweiIamCloud(url)).toBe(cloud);
  });

  it.each([
    'https://keystone.example.org:5000/v3',
    'https://identity.myhuaweicloud.com/v3', // not an iam host
    'https://iam.example.org/v3',
    'https://iam.myhuaweicloud.com.evil.example/v3',
    'not a url',
  ])('%s is not', (url) => {
    expect(huaweiIamCloud(url)).toBeNull();
  });

  it('infers IMS from a Huawei IAM URL, and says so', () => {
    const c = resolveCloud('hw', password(), 'clouds.yaml');
    expect(c.imageService).toEqual({
      kind: 'ims',
      reason: expect.stringMatching(/^the auth URL is Huawei Cloud's IAM \(iam\.cn-north-4\.myhuaweicloud\.com\)/),
      inferred: true,
    });
  });

  it('infers IMS from profile: otc, which also gives the auth URL from the region', () => {
    const c = resolveCloud(
      'otc',
      {
        profile: 'otc',
        region_name: 'eu-de',
        auth: { username: 'u', password: 'p', user_domain_name: 'OTC00000000001000000xxx', project_name: 'eu-de' },
      },
      'clouds.yaml',
    );
    expect(c.imageService.kind).toBe('ims');
    expect(c.imageService.reason).toMatch(/^profile: otc/);
    expect(c.authUrl).toBe('https://iam.eu-de.otc.t-systems.com/v3');
  });

  it('follows image_service when it is set, either way, and refuses another value', () => {
    expect(resolveCloud('hw', { ...password(), image_service: 'glance' }, 'c.yaml').imageService).toEqual({
      kind: 'glance',
      reason: 'image_service: glance in c.yaml',
      inferred: false,
    });
    const onPrem = resolveCloud(
      'hcs',
      {
        image_service: 'IMS',
        region_name: 'r1',
        auth: { ...password().auth, auth_url: 'https://iam.hcs.example.com/v3' },
      },
      'c.yaml',
    );
    expect(onPrem.imageService).toMatchObject({ kind: 'ims', inferred: false });
    expect(() => resolveCloud('x', { ...password(), image_service: 'swift' }, 'c.yaml')).toThrow(
      expect.objectContaining({ code: 'config/invalid', message: expect.stringMatching(/use ims .* or glance/) }),
    );
  });

  it('stays Glance for an OpenStack cloud, and says it is the default', () => {
    const c = resolveCloud(
      'os',
      { auth: { auth_url: 'https://keystone.example.org/v3', username: 'a', password: 'b', project_name: 'p' } },
      'c.yaml',
    );
    expect(c.imageService).toMatchObject({ kind: 'glance', inferred: true, reason: expect.stringMatching(/default/) });
    expect(c.nativeUploadLimit).toBe(DEFAULT_IMS_NATIVE_LIMIT);
  });
});

describe('Huawei password clouds', () => {
  it('scopes to the region’s project inside the account, with no Default domain anywhere', () => {
    const c = resolveCloud('hw', password(), 'c.yaml');
    expect(c.regionName).toBe('cn-north-4');
    expect(c.scope).toEqual({ projectName: 'cn-north-4', projectInUserDomain: true });
    expect(authRequestBody(c.auth, c.scope)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'ops', password: 's3cret', domain: { name: 'hw-account' } } },
        },
        scope: { project: { name: 'cn-north-4' } },
      },
    });
  });

  it('takes the region from a sub-project name, and the project from region_name alone', () => {
    expect(regionOfProjectName('cn-north-4_build')).toBe('cn-north-4');
    expect(resolveCloud('hw', password({ project_name: 'cn-north-4_build' }), 'c.yaml').regionName).toBe('cn-north-4');
    const c = resolveCloud('hw', { region_name: 'ap-southeast-1', ...password({ project_name: undefined }) }, 'c.yaml');
    expect(c.scope.projectName).toBe('ap-southeast-1');
  });

  it('takes project_id, with region_name', () => {
    const c = resolveCloud(
      'hw',
      { region_name: 'cn-north-4', ...password({ project_name: undefined, project_id: 'p-123' }) },
      'c.yaml',
    );
    expect(authRequestBody(c.auth, c.scope)).toMatchObject({ auth: { scope: { project: { id: 'p-123' } } } });
    expect(() => resolveCloud('hw', password({ project_name: undefined, project_id: 'p-123' }), 'c.yaml')).toThrow(
      expect.objectContaining({
        code: 'config/missing-field',
        message: expect.stringMatching(/no region_name: IMS works per region/),
      }),
    );
  });

  it('needs the account: one sentence naming user_domain_name', () => {
    expect(() => resolveCloud('hw', password({ user_domain_name: undefined }), 'c.yaml')).toThrow(
      expect.objectContaining({
        code: 'config/missing-field',
        message:
          "Cloud 'hw' in c.yaml has no auth.user_domain_name: add the account name (the Huawei Cloud account the IAM user belongs to) as user_domain_name.",
      }),
    );
  });

  it('keeps obs_bucket, the endpoint overrides and ims_native_upload_limit', () => {
    const c = resolveCloud(
      'hw',
      {
        ...password(),
        obs_bucket: 'my-images',
        image_endpoint_override: 'https://ims.cn-north-4.myhuaweicloud.com',
        obs_endpoint_override: 'https://obs.cn-north-4.myhuaweicloud.com',
        ims_native_upload_limit: '1GiB',
      },
      'c.yaml',
    );
    expect(c).toMatchObject({
      obsBucket: 'my-images',
      imageEndpointOverride: 'https://ims.cn-north-4.myhuaweicloud.com',
      obsEndpointOverride: 'https://obs.cn-north-4.myhuaweicloud.com',
      nativeUploadLimit: 1024 ** 3,
    });
    expect(() => resolveCloud('hw', { ...password(), obs_endpoint_override: 'obs.example.com' }, 'c.yaml')).toThrow(
      expect.objectContaining({ code: 'config/invalid', message: expect.stringMatching(/not an http\(s\) URL/) }),
    );
    expect(() => resolveCloud('hw', { ...password(), ims_native_upload_limit: 'lots' }, 'c.yaml')).toThrow(
      expect.objectContaining({ code: 'config/invalid' }),
    );
  });
});

describe('access keys', () => {
  it('reads ak/sk (or access_key/secret_key) and security_token at the cloud’s level', () => {
    const c = resolveCloud('hw', { ...password(), ak: 'AK1', sk: 'SK1', security_token: 'ST' }, 'c.yaml');
    expect(c.accessKeys).toEqual({ accessKey: 'AK1', secretKey: 'SK1', securityToken: 'ST', source: 'c.yaml' });
    expect(
      resolveCloud('hw', { ...password(), access_key: 'AK2', secret_key: 'SK2' }, 'c.yaml').accessKeys,
    ).toMatchObject({
      accessKey: 'AK2',
      secretKey: 'SK2',
    });
    expect(() => resolveCloud('hw', { ...password(), ak: 'AK1' }, 'c.yaml')).toThrow(
      expect.objectContaining({
        code: 'config/missing-field',
        message: expect.stringMatching(/has no sk: add the secret key/),
      }),
    );
  });

  it('falls back to S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, as python-otcextensions does', () => {
    const env = { S3_ACCESS_KEY_ID: 'ENVAK', S3_SECRET_ACCESS_KEY: 'ENVSK' };
    expect(resolveCloud('hw', password(), 'c.yaml', undefined, { env }).accessKeys).toEqual({
      accessKey: 'ENVAK',
      secretKey: 'ENVSK',
      source: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY in the environment',
    });
    // the cloud's own keys win
    expect(
      resolveCloud('hw', { ...password(), ak: 'A', sk: 'S' }, 'c.yaml', undefined, { env }).accessKeys?.accessKey,
    ).toBe('A');
    expect(() => resolveCloud('hw', password(), 'c.yaml', undefined, { env: { S3_ACCESS_KEY_ID: 'X' } })).toThrow(
      expect.objectContaining({
        message:
          'S3_ACCESS_KEY_ID is set in the environment without OS_SECRET_KEY or S3_SECRET_ACCESS_KEY: set both, or neither.',
      }),
    );
  });

  it('an IMS cloud with only an access key signs with it (no password asked for)', () => {
    const c = resolveCloud(
      'hw-aksk',
      { region_name: 'cn-north-4', ak: 'AK', sk: 'SK', auth: { auth_url: HUAWEI } },
      'c.yaml',
    );
    expect(c.auth).toEqual({ type: 'access-key' });
    expect(c.scope.projectName).toBe('cn-north-4');
    expect(() => authRequestBody(c.auth, c.scope)).toThrow(expect.objectContaining({ code: 'config/invalid' }));
  });

  it('a Glance cloud without a password still needs one: access keys are for IMS and OBS', () => {
    expect(() =>
      resolveCloud(
        'os',
        { ak: 'AK', sk: 'SK', auth: { auth_url: 'https://keystone.example.org/v3', project_name: 'p' } },
        'c.yaml',
      ),
    ).toThrow(
      expect.objectContaining({ code: 'config/missing-field', message: expect.stringMatching(/auth\.username/) }),
    );
  });

  it('an IMS cloud with neither a password nor a key says both ways out', () => {
    expect(() => resolveCloud('hw', { region_name: 'cn-north-4', auth: { auth_url: HUAWEI } }, 'c.yaml')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/IAM user name and password, or an access key \(ak and sk\)/),
      }),
    );
  });
});

describe('from a clouds.yaml with secure.yaml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-config-ims-'));
    await writeFile(
      path.join(dir, 'clouds.yaml'),
      `clouds:
  otc:
    profile: otc
    auth:
      username: 'ops'
      project_name: 'eu-de'
      user_domain_name: 'OTC00000000001000000xxx'
      auth_url: 'https://iam.eu-de.otc.t-systems.com:443/v3'
    interface: 'public'
    identity_api_version: 3
    obs_bucket: images-eu
`,
    );
    await writeFile(
      path.join(dir, 'secure.yaml'),
      `clouds:\n  otc:\n    auth:\n      password: pw\n    ak: AKX\n    sk: SKX\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('merges the secrets in and resolves an OTC cloud', async () => {
    const c = await chooseCloud({
      cloud: 'otc',
      env: {
        OS_CLIENT_CONFIG_FILE: path.join(dir, 'clouds.yaml'),
        OS_CLIENT_SECURE_FILE: path.join(dir, 'secure.yaml'),
      },
      cwd: dir,
    });
    expect(c).toMatchObject({
      authUrl: 'https://iam.eu-de.otc.t-systems.com:443/v3',
      regionName: 'eu-de',
      obsBucket: 'images-eu',
      imageService: { kind: 'ims' },
      auth: { type: 'password', password: 'pw', userDomainName: 'OTC00000000001000000xxx' },
      accessKeys: { accessKey: 'AKX', secretKey: 'SKX' },
    });
  });

  it('reads the S3_* variables through chooseCloud', async () => {
    const c = await chooseCloud({
      cloud: 'otc',
      env: {
        OS_CLIENT_CONFIG_FILE: path.join(dir, 'clouds.yaml'),
        OS_CLIENT_SECURE_FILE: path.join(dir, 'nothing.yaml'),
        OS_PASSWORD: 'pw',
        S3_ACCESS_KEY_ID: 'A',
        S3_SECRET_ACCESS_KEY: 'S',
      },
      cwd: path.join(dir, 'elsewhere'), // no secure.yaml found, so no ak/sk in the cloud
      home: path.join(dir, 'home'),
      platform: 'linux',
    });
    expect(c.accessKeys).toMatchObject({ accessKey: 'A', secretKey: 'S' });
  });
});

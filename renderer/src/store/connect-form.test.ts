import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.ts';
import { makeCloud } from '../testing/fixtures.ts';
import {
  DEFAULT_AUTH,
  EMPTY_FIELDS,
  authUrlWarning,
  buildCloudRequest,
  buildGlanceRequest,
  buildImsRequest,
  buildManualRequest,
  chosenCloud,
  clearProblem,
  cloudKey,
  connectMode,
  problemText,
  type Built,
  type ManualFields,
} from './connect-form.ts';

const fields = (f: Partial<ManualFields>): ManualFields => ({ ...EMPTY_FIELDS, ...f });

/** The problems as an English reader sees them, by field. */
function problems(built: Built): Record<string, string> {
  if (built.ok) throw new Error(`expected problems, got ${JSON.stringify(built.request)}`);
  const t = i18n.getFixedT('en', 'connect');
  return Object.fromEntries(Object.entries(built.problems).map(([k, p]) => [k, p ? problemText(p, t) : '']));
}

function request(built: Built) {
  if (!built.ok) throw new Error(`expected a request, got ${JSON.stringify(built.problems)}`);
  return built.request;
}

const KEYSTONE = 'https://keystone.example.org:5000/v3';
const IAM = 'https://iam.cn-north-4.myhuaweicloud.com/v3';

describe('defaults', () => {
  it('starts with "Default" domains, the public interface, nothing remembered, every text empty', () => {
    expect(EMPTY_FIELDS.userDomainName).toBe('Default');
    expect(EMPTY_FIELDS.projectDomainName).toBe('Default');
    expect(EMPTY_FIELDS.interface).toBe('public');
    expect(EMPTY_FIELDS.remember).toBe(false);
    const others = Object.entries(EMPTY_FIELDS).filter(
      ([k]) => !['userDomainName', 'projectDomainName', 'interface', 'remember'].includes(k),
    );
    expect(others.every(([, v]) => v === '')).toBe(true);
    expect(DEFAULT_AUTH).toEqual({ glance: 'password', ims: 'password' });
  });
});

describe('Glance: user and password', () => {
  it('trims what is typed, keeps the password and the CA path as given, and leaves optional fields out', () => {
    const built = buildGlanceRequest(
      fields({
        authUrl: `  ${KEYSTONE} `,
        username: ' alice ',
        password: ' s3cret ',
        projectName: ' demo ',
        userDomainName: '  ',
        cacertPath: '/etc/ca with space/ca.pem ',
      }),
      'password',
    );
    expect(request(built)).toEqual({
      kind: 'manual',
      authUrl: KEYSTONE,
      auth: {
        type: 'password',
        username: 'alice',
        password: ' s3cret ',
        projectName: 'demo',
        userDomainName: 'Default',
        projectDomainName: 'Default',
      },
      interface: 'public',
      remember: false,
      cacertPath: '/etc/ca with space/ca.pem ',
    });
  });

  it('sends the region, the interface and the label (only when remembered)', () => {
    const base = fields({ authUrl: KEYSTONE, username: 'a', password: 'p', projectName: 'demo', label: ' lab ' });
    const remembered = request(
      buildGlanceRequest({ ...base, regionName: ' RegionTwo ', interface: 'internal', remember: true }, 'password'),
    );
    expect(remembered).toMatchObject({ regionName: 'RegionTwo', interface: 'internal', remember: true, label: 'lab' });
    expect(request(buildGlanceRequest(base, 'password'))).not.toHaveProperty('label');
  });

  it('names each missing field, and the auth URL', () => {
    expect(problems(buildGlanceRequest(EMPTY_FIELDS, 'password'))).toEqual({
      authUrl: 'Enter the Keystone URL, for example https://keystone.example.org:5000/v3.',
      username: 'Enter the user name.',
      password: 'Enter the password.',
      projectName: 'Enter the project.',
    });
  });

  it('refuses an auth URL without http(s):// or with a query', () => {
    const ok = { username: 'a', password: 'p', projectName: 'demo' };
    expect(problems(buildGlanceRequest(fields({ ...ok, authUrl: 'keystone:5000/v3' }), 'password'))).toEqual({
      authUrl: 'The URL must start with https:// or http://.',
    });
    const query = problems(buildGlanceRequest(fields({ ...ok, authUrl: `${KEYSTONE}?x=1` }), 'password'));
    expect(query.authUrl).toMatch(/^The URL .+\.$/);
    expect(query.authUrl).not.toContain('{{problem}}');
  });
});

describe('Glance: application credential', () => {
  it('sends the credential id (trimmed) and the secret (as typed), with no user or project', () => {
    const built = buildGlanceRequest(
      fields({ authUrl: KEYSTONE, applicationCredentialId: ' abc123 ', secret: ' shh', username: 'ignored' }),
      'application-credential',
    );
    expect(request(built)).toEqual({
      kind: 'manual',
      authUrl: KEYSTONE,
      auth: { type: 'application-credential', applicationCredentialId: 'abc123', secret: ' shh' },
      interface: 'public',
      remember: false,
    });
  });

  it('asks for the id and the secret, not for the user', () => {
    expect(problems(buildGlanceRequest(fields({ authUrl: KEYSTONE }), 'application-credential'))).toEqual({
      applicationCredentialId: 'Enter the application credential ID.',
      secret: 'Enter the application credential secret.',
    });
  });
});

describe('IMS: IAM user', () => {
  it('sends the user with its account, the project, the keys, the bucket and the overrides', () => {
    const built = buildImsRequest(
      fields({
        authUrl: IAM,
        username: ' bob ',
        password: 'pw',
        accountName: ' acme ',
        projectName: 'cn-north-4',
        projectId: ' 0123 ',
        accessKey: ' AK ',
        secretKey: 'SK',
        securityToken: ' tok ',
        obsBucket: 'my.bucket-1',
        imageEndpointOverride: 'https://ims.example.com',
        obsEndpointOverride: 'http://obs.example.com',
        cacertPath: '/ca.pem',
        remember: true,
        label: 'huawei',
      }),
      'password',
    );
    expect(request(built)).toEqual({
      kind: 'manual',
      imageService: 'ims',
      authUrl: IAM,
      auth: { type: 'password', username: 'bob', password: 'pw', accountName: 'acme' },
      remember: true,
      projectName: 'cn-north-4',
      projectId: '0123',
      accessKeys: { accessKey: 'AK', secretKey: 'SK', securityToken: 'tok' },
      obsBucket: 'my.bucket-1',
      imageEndpointOverride: 'https://ims.example.com',
      obsEndpointOverride: 'http://obs.example.com',
      cacertPath: '/ca.pem',
      label: 'huawei',
    });
  });

  it('needs no keys, and the region alone names the project', () => {
    const built = buildImsRequest(
      fields({ authUrl: IAM, username: 'bob', password: 'pw', accountName: 'acme', regionName: 'cn-north-4' }),
      'password',
    );
    expect(request(built)).toEqual({
      kind: 'manual',
      imageService: 'ims',
      authUrl: IAM,
      auth: { type: 'password', username: 'bob', password: 'pw', accountName: 'acme' },
      remember: false,
      regionName: 'cn-north-4',
    });
  });

  it('names the account, the project, the IAM URL, and the key that goes with a secret key', () => {
    expect(problems(buildImsRequest(fields({ secretKey: 'SK' }), 'password'))).toEqual({
      authUrl: 'Enter the IAM URL, for example https://iam.cn-north-4.myhuaweicloud.com/v3.',
      username: 'Enter the user name.',
      password: 'Enter the password.',
      accountName: 'Enter the account the IAM user belongs to.',
      projectName: 'Enter the project (the region, for example cn-north-4), its ID, or the region.',
      accessKey: 'Enter the access key ID that goes with this secret key.',
    });
  });

  it('refuses a bad bucket name and overrides that are not http(s) URLs', () => {
    const ok = { authUrl: IAM, username: 'b', password: 'p', accountName: 'a', projectName: 'cn-north-4' };
    expect(
      problems(
        buildImsRequest(
          fields({ ...ok, obsBucket: 'My_Bucket', imageEndpointOverride: 'ims.example.com', obsEndpointOverride: 'x' }),
          'password',
        ),
      ),
    ).toEqual({
      obsBucket: 'A bucket name has 3 to 63 lower-case letters, digits, dots and hyphens.',
      imageEndpointOverride: 'The URL must start with https:// or http://.',
      obsEndpointOverride: 'The URL must start with https:// or http://.',
    });
  });
});

describe('IMS: access key only', () => {
  it('signs with the key: no user, no account, and no token unless one is typed', () => {
    const built = buildImsRequest(
      fields({ authUrl: IAM, projectName: 'cn-north-4', accessKey: 'AK', secretKey: 'SK', username: 'ignored' }),
      'access-key',
    );
    expect(request(built)).toEqual({
      kind: 'manual',
      imageService: 'ims',
      authUrl: IAM,
      auth: { type: 'access-key' },
      remember: false,
      projectName: 'cn-north-4',
      accessKeys: { accessKey: 'AK', secretKey: 'SK' },
    });
  });

  it('asks for both keys (saying why the access key is needed), not for a user', () => {
    expect(problems(buildImsRequest(fields({ authUrl: IAM, projectId: 'p1' }), 'access-key'))).toEqual({
      accessKey: 'Enter the access key ID: without a password, every call is signed with it.',
      secretKey: 'Enter the secret access key.',
    });
  });
});

describe('the form as a whole', () => {
  it('builds with the sign-in chosen for the kind shown', () => {
    const f = fields({ authUrl: IAM, projectName: 'cn-north-4', accessKey: 'AK', secretKey: 'SK' });
    const auth = { glance: 'application-credential', ims: 'access-key' } as const;
    expect(request(buildManualRequest('ims', f, auth))).toMatchObject({
      imageService: 'ims',
      auth: { type: 'access-key' },
    });
    expect(problems(buildManualRequest('glance', f, auth))).toEqual({
      applicationCredentialId: 'Enter the application credential ID.',
      secret: 'Enter the application credential secret.',
    });
  });

  it('"Remember" counts only where secrets can be kept, and then no label is sent', () => {
    const f = fields({ authUrl: KEYSTONE, username: 'a', password: 'p', projectName: 'd', remember: true, label: 'x' });
    expect(request(buildManualRequest('glance', f, DEFAULT_AUTH, false))).toMatchObject({ remember: false });
    expect(request(buildManualRequest('glance', f, DEFAULT_AUTH, false))).not.toHaveProperty('label');
    expect(request(buildManualRequest('glance', f, DEFAULT_AUTH, null))).toMatchObject({ remember: true, label: 'x' });
    expect(
      request(buildManualRequest('ims', { ...f, accountName: 'a', projectName: 'p' }, DEFAULT_AUTH, false)),
    ).toMatchObject({ remember: false });
  });

  it('warns about plain http:// only while the sign-in sends a secret to the auth URL', () => {
    const f = fields({ authUrl: ' http://keystone.example.org:5000/v3 ' });
    expect(authUrlWarning('glance', DEFAULT_AUTH, f)).toMatch(
      /^The auth URL uses plain http:\/\/ to keystone\.example\.org: your password/,
    );
    expect(authUrlWarning('glance', { ...DEFAULT_AUTH, glance: 'application-credential' }, f)).toMatch(
      /the application credential secret/,
    );
    expect(authUrlWarning('ims', DEFAULT_AUTH, f)).toMatch(/your password/);
    expect(authUrlWarning('ims', { ...DEFAULT_AUTH, ims: 'access-key' }, f)).toBeNull();
    expect(authUrlWarning('glance', DEFAULT_AUTH, fields({ authUrl: KEYSTONE }))).toBeNull();
  });

  it('clears one field’s problem, and keeps the same object when it had none', () => {
    const p = { username: { key: 'problems.username' }, password: { key: 'problems.password' } } as const;
    expect(clearProblem(p, 'username')).toEqual({ username: undefined, password: { key: 'problems.password' } });
    expect(clearProblem(p, 'authUrl')).toBe(p);
  });

  it('shows the details until the clouds list is read, ticking neither way; then the list if it has clouds', () => {
    expect(connectMode(null, 0, false)).toEqual({ shown: 'manual', ticked: null });
    expect(connectMode(null, 2, true)).toEqual({ shown: 'cloud', ticked: 'cloud' });
    expect(connectMode(null, 0, true)).toEqual({ shown: 'manual', ticked: 'manual' });
    expect(connectMode('manual', 2, false)).toEqual({ shown: 'manual', ticked: 'manual' });
  });
});

describe('a cloud from the list', () => {
  it('keeps a remembered twin of a clouds.yaml cloud apart, and says remembered in its request', () => {
    const yaml = makeCloud({ name: 'prod' });
    const twin = makeCloud({ name: 'prod', source: 'remembered' });
    const alone = makeCloud({ name: 'lab', source: 'remembered' });
    const clouds = [yaml, twin, alone];
    expect(clouds.map((c) => cloudKey(c, clouds))).toEqual(['prod', 'prod\u0000remembered', 'lab']);
    expect(chosenCloud(clouds, '')).toBe(yaml);
    expect(chosenCloud(clouds, 'prod\u0000remembered')).toBe(twin);
    expect(request(buildCloudRequest(twin))).toEqual({ kind: 'cloud', cloud: 'prod', remembered: true });
    expect(request(buildCloudRequest(yaml))).toEqual({ kind: 'cloud', cloud: 'prod' });
  });

  it('asks for a cloud when there is none', () => {
    expect(chosenCloud([], 'prod')).toBeUndefined();
    expect(problems(buildCloudRequest(undefined))).toEqual({ cloud: 'Choose a cloud.' });
  });
});

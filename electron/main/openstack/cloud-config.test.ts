import { mkdtemp, mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseCloud,
  configSearchDirs,
  DEFAULT_SIZE_LIMIT,
  listCloudNames,
  parseSize,
  resolveCloud,
} from './cloud-config.ts';

let dir: string;
let home: string;
let cwd: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-config-'));
  home = path.join(dir, 'home');
  cwd = path.join(dir, 'work');
  await mkdir(path.join(home, '.config', 'openstack'), { recursive: true });
  await mkdir(cwd, { recursive: true });
  await writeFile(
    path.join(home, '.config', 'openstack', 'clouds.yaml'),
    `clouds:
  prod:
    auth:
      auth_url: https://keystone.example.org:5000/v3
      username: alice
      project_name: ops
      user_domain_name: Corp
      project_domain_name: Corp
    region_name: RegionTwo
    interface: internalURL
    cacert: /etc/ssl/corp-ca.pem
  lab:
    auth:
      auth_url: https://lab.example.org/identity
      application_credential_id: abc123
    auth_type: v3applicationcredential
    verify: false
    image_size_limit: 2GiB
  broken:
    auth:
      username: bob
      password: x
      project_name: p
`,
  );
  await writeFile(
    path.join(home, '.config', 'openstack', 'secure.yaml'),
    `clouds:
  prod:
    auth:
      password: s3cret
  lab:
    auth:
      application_credential_secret: appsecret
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (vars: Record<string, string> = {}) => ({ env: vars, cwd, home, platform: 'linux' as const });

describe('configSearchDirs', () => {
  it('searches where openstacksdk does, in its order', () => {
    // openstacksdk's CONFIG_SEARCH_PATH: cwd, user config dir, ~/.config/openstack, site config
    // dir (platformdirs: $XDG_CONFIG_DIRS or /etc/xdg, + /openstack), /etc/openstack.
    expect(configSearchDirs({ env: {}, cwd: '/w', home: '/h', platform: 'linux' })).toEqual([
      '/w',
      '/h/.config/openstack',
      '/etc/xdg/openstack',
      '/etc/openstack',
    ]);
    expect(
      configSearchDirs({
        env: { XDG_CONFIG_HOME: '/x', XDG_CONFIG_DIRS: '/site' },
        cwd: '/w',
        home: '/h',
        platform: 'linux',
      }),
    ).toEqual(['/w', '/x/openstack', '/h/.config/openstack', '/site/openstack', '/etc/openstack']);
    // Several XDG_CONFIG_DIRS become one joined path in platformdirs, which never exists.
    expect(configSearchDirs({ env: { XDG_CONFIG_DIRS: '/a:/b' }, cwd: '/w', home: '/h', platform: 'linux' })).toEqual([
      '/w',
      '/h/.config/openstack',
      '/etc/openstack',
    ]);
    expect(configSearchDirs({ env: {}, cwd: '/w', home: '/Users/a', platform: 'darwin' })).toEqual([
      '/w',
      '/Users/a/Library/Application Support/openstack',
      '/Users/a/.config/openstack',
      '/Library/Application Support/openstack',
      '/etc/openstack',
    ]);
  });
});

describe('chooseCloud', () => {
  it('merges secure.yaml into clouds.yaml and reads every setting', async () => {
    const c = await chooseCloud({ ...env(), cloud: 'prod' });
    expect(c.auth).toEqual({ type: 'password', username: 'alice', password: 's3cret', userDomainName: 'Corp' });
    expect(c.scope).toEqual({ projectName: 'ops', projectDomainName: 'Corp' });
    expect(c.regionName).toBe('RegionTwo');
    expect(c.interface).toBe('internal');
    expect(c.cacertPath).toBe('/etc/ssl/corp-ca.pem');
    expect(c.verify).toBe(true);
    expect(c.warnings).toEqual([]);
    expect(c.sizeLimit).toBe(DEFAULT_SIZE_LIMIT);
    expect(DEFAULT_SIZE_LIMIT).toBe(128 * 1024 ** 3); // README: 128 GiB
    expect(c.source).toBe(path.join(home, '.config', 'openstack', 'clouds.yaml'));
  });

  it('takes OS_CLOUD when --cloud is absent', async () => {
    expect((await chooseCloud(env({ OS_CLOUD: 'prod' }))).name).toBe('prod');
  });

  it('reads application credentials, verify:false (with a warning) and a per-cloud size limit', async () => {
    const c = await chooseCloud({ ...env(), cloud: 'lab' });
    expect(c.auth).toEqual({ type: 'application-credential', id: 'abc123', secret: 'appsecret' });
    expect(c.verify).toBe(false);
    expect(c.warnings[0]).toMatch(/TLS certificate checks are off for cloud 'lab'/);
    expect(c.sizeLimit).toBe(2 * 1024 ** 3);
  });

  it('lets OS_* variables override the chosen cloud, as openstackclient does', async () => {
    const c = await chooseCloud({ ...env({ OS_PASSWORD: 'fromenv', OS_REGION_NAME: 'RegionOne' }), cloud: 'prod' });
    expect(c.auth).toMatchObject({ password: 'fromenv' });
    expect(c.regionName).toBe('RegionOne');
  });

  it('builds a cloud from OS_* variables alone (an openrc)', async () => {
    const c = await chooseCloud(
      env({
        OS_AUTH_URL: 'http://k:5000/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_PROJECT_NAME: 'proj',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_ID: 'default',
        OS_INSECURE: 'true',
      }),
    );
    expect(c.name).toBe('envvars');
    expect(c.source).toBe('environment');
    expect(c.scope).toEqual({ projectName: 'proj', projectDomainId: 'default' });
    expect(c.verify).toBe(false);
  });

  it('names the cloud, the field and both files when a field is missing', async () => {
    await expect(chooseCloud({ ...env(), cloud: 'broken' })).rejects.toMatchObject({
      code: 'config/missing-field',
      message: expect.stringMatching(
        /^Cloud 'broken' in \S+\/clouds\.yaml \(with \S+\/secure\.yaml\) has no auth\.auth_url:/,
      ),
    });
  });

  it('names only clouds.yaml when no secure.yaml took part', async () => {
    const f = path.join(dir, 'alone', 'clouds.yaml');
    await mkdir(path.dirname(f), { recursive: true });
    await writeFile(f, 'clouds:\n  c:\n    auth: {username: u, password: p, project_name: x}\n');
    const e = await chooseCloud({
      env: { OS_CLIENT_CONFIG_FILE: f },
      cwd,
      home: path.join(dir, 'nohome'),
      platform: 'linux',
      cloud: 'c',
    }).catch((x: Error) => x);
    expect((e as Error).message).toBe(`Cloud 'c' in ${f} has no auth.auth_url: add it to the cloud's settings.`);
  });

  it('takes a cloud that only secure.yaml defines, as openstacksdk merges the files whole', async () => {
    const own = path.join(dir, 'sec-only');
    await mkdir(own, { recursive: true });
    await writeFile(path.join(own, 'clouds.yaml'), 'clouds: {}\n');
    await writeFile(
      path.join(own, 'secure.yaml'),
      'clouds:\n  hidden:\n    auth: {auth_url: "http://k/v3", username: u, password: p, project_name: x}\n',
    );
    const c = await chooseCloud({
      env: {},
      cwd: own,
      home: path.join(dir, 'nohome'),
      platform: 'linux',
      cloud: 'hidden',
    });
    expect(c.auth).toMatchObject({ type: 'password', username: 'u' });
  });

  it.each([
    ['password', 'password'],
    ['v3password', 'password'],
    ['v3token', 'token'],
    ['token', 'token'],
    ['v3applicationcredential', 'application-credential'],
  ])('auth_type %s signs in with a %s', (authType, method) => {
    const c = resolveCloud(
      'c',
      {
        auth_type: authType,
        auth: {
          auth_url: 'http://k/v3',
          username: 'u',
          password: 'p',
          token: 't',
          application_credential_id: 'i',
          application_credential_secret: 's',
          project_name: 'x',
        },
      },
      'f.yaml',
    );
    expect(c.auth.type).toBe(method);
  });

  it('refuses an auth_type it does not support, naming the cloud, the auth_type and the file', () => {
    for (const authType of ['v3oidcpassword', 'v2password', 'admin_token', 'v3multifactor', 'tokenless']) {
      expect(() =>
        resolveCloud(
          'sso',
          { auth_type: authType, auth: { auth_url: 'http://k/v3', username: 'u', password: 'p', project_name: 'x' } },
          '/etc/openstack/clouds.yaml',
        ),
      ).toThrow(
        expect.objectContaining({
          code: 'config/invalid',
          message: `Cloud 'sso' in /etc/openstack/clouds.yaml has auth_type '${authType}', which Imagedrop does not support: use password, token or v3applicationcredential (or leave it out).`,
        }),
      );
    }
  });

  it('reads insecure: true as openstacksdk does (it wins over verify), and OS_INSECURE only when "true"', () => {
    const base = { auth: { auth_url: 'https://k/v3', username: 'u', password: 'p', project_name: 'x' } };
    const off = resolveCloud('c', { ...base, insecure: true, verify: true }, 'f.yaml');
    expect(off.verify).toBe(false);
    expect(off.warnings).toEqual([
      "TLS certificate checks are off for cloud 'c' (insecure: true in f.yaml): anyone on the network path could read your token.",
    ]);
    expect(resolveCloud('c', { ...base, insecure: 'True' }, 'f.yaml').verify).toBe(false);
    expect(resolveCloud('c', { ...base, insecure: false }, 'f.yaml').verify).toBe(true);
    expect(resolveCloud('c', { ...base, insecure: 'yes' }, 'f.yaml').verify).toBe(true); // get_boolean: only 'true'
  });

  it('OS_INSECURE=true: the warning names the environment, not a file', async () => {
    const openrc = await chooseCloud(
      env({
        OS_AUTH_URL: 'https://k:5000/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_PROJECT_NAME: 'x',
        OS_INSECURE: 'true',
      }),
    );
    expect(openrc.warnings).toEqual([
      "TLS certificate checks are off for cloud 'envvars' (OS_INSECURE=true in the environment): anyone on the network path could read your token.",
    ]);
    // A clouds.yaml cloud whose file leaves checks on: the variable turned them off, not the file.
    const prod = await chooseCloud({ ...env({ OS_INSECURE: 'true' }), cloud: 'prod' });
    expect(prod.verify).toBe(false);
    expect(prod.warnings).toEqual([
      "TLS certificate checks are off for cloud 'prod' (OS_INSECURE=true in the environment): anyone on the network path could read your token.",
    ]);
  });

  it('OS_INSECURE=1 leaves checks on, as openstacksdk reads it', async () => {
    const c = await chooseCloud(
      env({
        OS_AUTH_URL: 'http://k:5000/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_PROJECT_NAME: 'x',
        OS_INSECURE: '1',
      }),
    );
    expect(c.verify).toBe(true);
  });

  it('names the file and the clouds it has when the cloud does not exist', async () => {
    await expect(chooseCloud({ ...env(), cloud: 'nope' })).rejects.toMatchObject({
      code: 'config/cloud-not-found',
      message: expect.stringMatching(/no cloud named 'nope' in .*clouds\.yaml; it has prod, lab, broken/),
    });
  });

  it('says how to choose a cloud when none is chosen', async () => {
    await expect(chooseCloud(env())).rejects.toMatchObject({
      code: 'config/cloud-not-found',
      message: expect.stringMatching(/pass --cloud NAME or set OS_CLOUD/),
    });
  });

  it('puts OS_CLIENT_CONFIG_FILE first, and reports an unreadable file by name', async () => {
    const own = path.join(dir, 'own-clouds.yaml');
    await writeFile(
      own,
      'clouds:\n  only:\n    auth: {auth_url: "http://x/v3", username: u, password: p, project_id: abc}\n',
    );
    expect((await chooseCloud({ ...env({ OS_CLIENT_CONFIG_FILE: own }), cloud: 'only' })).scope).toEqual({
      projectId: 'abc',
    });
    if (process.getuid?.() !== 0) {
      await chmod(own, 0o000);
      await expect(chooseCloud({ ...env({ OS_CLIENT_CONFIG_FILE: own }), cloud: 'only' })).rejects.toMatchObject({
        code: 'config/unreadable',
      });
    }
  });

  it('reports a file that is not valid YAML by name', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'clouds:\n  x: [unclosed\n');
    await expect(chooseCloud({ ...env({ OS_CLIENT_CONFIG_FILE: bad }), cloud: 'x' })).rejects.toMatchObject({
      code: 'config/invalid',
      message: expect.stringContaining(bad),
    });
  });

  it('reports a directory where a clouds.yaml should be as unreadable', async () => {
    const d = path.join(dir, 'a-dir.yaml');
    await mkdir(d, { recursive: true });
    await expect(chooseCloud({ ...env({ OS_CLIENT_CONFIG_FILE: d }), cloud: 'x' })).rejects.toMatchObject({
      code: 'config/unreadable',
      message: expect.stringContaining(d),
    });
  });

  it('never puts a password in an error message', async () => {
    const f = path.join(dir, 'nopass.yaml');
    await writeFile(f, 'clouds:\n  c:\n    auth: {auth_url: "http://x/v3", username: u, password: hunter2}\n');
    const err = await chooseCloud({ ...env({ OS_CLIENT_CONFIG_FILE: f }), cloud: 'c' }).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/project_name/);
    expect(JSON.stringify(err)).not.toContain('hunter2');
    expect(String((err as Error).message)).not.toContain('hunter2');
  });
});

describe('listCloudNames', () => {
  it('lists clouds.yaml clouds and the environment cloud', async () => {
    const names = await listCloudNames(env({ OS_AUTH_URL: 'http://k/v3' }));
    expect(names.map((n) => n.name)).toEqual(['prod', 'lab', 'broken', 'envvars']);
  });
});

describe('parseSize', () => {
  it.each([
    ['1073741824', 1073741824],
    ['2GiB', 2 * 1024 ** 3],
    ['128GB', 128e9],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['lots', null],
  ])('%s → %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});

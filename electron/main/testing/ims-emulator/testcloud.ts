// Where the IMS emulator finds the real servers behind it: the test cloud's clouds.yaml (the admin
// user of the real Keystone) and the object store's env file (Swift's tempauth user, its S3 endpoint),
// both written by scripts/testcloud.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_ACCESS_KEYS, type ImsEmulatorOptions } from './index.ts';

export const TESTCLOUD_DIR = process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud';
export const OBJSTORE_ENV = path.join(TESTCLOUD_DIR, 'objstore', 'objstore.env');

/** KEY=value lines (the object store's env file). */
export async function readEnvFile(file: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export type TestCloudBackends = Pick<
  ImsEmulatorOptions,
  'admin' | 'swift' | 's3Endpoint' | 'keystoneUrl' | 'accessKeys'
>;

/** The admin credentials and the object store's, or one sentence saying which file is missing. */
export async function testCloudBackends(
  dir = TESTCLOUD_DIR,
): Promise<TestCloudBackends & { env: Record<string, string> }> {
  const cloudsFile = path.join(dir, 'clouds.yaml');
  let clouds: { clouds?: Record<string, { auth?: Record<string, string> }> };
  try {
    clouds = parseYaml(await readFile(cloudsFile, 'utf8'));
  } catch (e) {
    throw new Error(
      `${cloudsFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): run scripts/testcloud/up.sh first.`,
      { cause: e },
    );
  }
  const admin = clouds.clouds?.['imagedrop-admin']?.auth;
  if (!admin?.username || !admin.password)
    throw new Error(`${cloudsFile} has no imagedrop-admin cloud: run scripts/testcloud/up.sh.`);
  const objFile = path.join(dir, 'objstore', 'objstore.env');
  let env: Record<string, string>;
  try {
    env = await readEnvFile(objFile);
  } catch {
    throw new Error(`${objFile} is missing: the object store (Swift + s3api on 127.0.0.1:18080) is not set up.`);
  }
  for (const key of ['OBJSTORE_ENDPOINT', 'OBJSTORE_SWIFT_AUTH_URL', 'OBJSTORE_SWIFT_USER', 'OBJSTORE_SWIFT_KEY'])
    if (!env[key]) throw new Error(`${objFile} has no ${key}.`);
  return {
    env,
    keystoneUrl: admin.auth_url ?? 'http://127.0.0.1:5000/v3',
    admin: {
      username: admin.username,
      password: admin.password,
      projectName: admin.project_name ?? 'admin',
      userDomainName: admin.user_domain_name ?? 'Default',
      projectDomainName: admin.project_domain_name ?? 'Default',
    },
    swift: { authUrl: env.OBJSTORE_SWIFT_AUTH_URL!, user: env.OBJSTORE_SWIFT_USER!, key: env.OBJSTORE_SWIFT_KEY! },
    s3Endpoint: env.OBJSTORE_ENDPOINT!,
    // On Huawei Cloud one access key signs both IMS (APIG) and OBS calls: the object store's key is
    // the account's permanent key here too, beside a temporary one (IMS side only: Swift has no
    // security tokens).
    accessKeys: [
      ...(env.OBJSTORE_ACCESS_KEY && env.OBJSTORE_SECRET_KEY
        ? [
            {
              accessKey: env.OBJSTORE_ACCESS_KEY,
              secretKey: env.OBJSTORE_SECRET_KEY,
              description: 'permanent (also the S3 key)',
            },
          ]
        : DEFAULT_ACCESS_KEYS.filter((k) => !k.securityToken)),
      ...DEFAULT_ACCESS_KEYS.filter((k) => k.securityToken),
    ],
  };
}

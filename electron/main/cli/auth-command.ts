// `cli auth`: signs in and prints who and where, never the token. A Huawei cloud (IMS) signs in
// through IAM (password, or an access key alone) and shows its IMS and OBS endpoints instead.
import { parseArgs } from 'node:util';
import { ImsClient } from '../huawei/ims.ts';
import { HuaweiSession } from '../huawei/session.ts';
import type { CloudConfig } from '../openstack/cloud-config.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { Session } from '../openstack/session.ts';
import { EXIT_OK, type CliCommand, type CliIo } from './command.ts';
import { chooseCliCloud } from './connect.ts';
import { writeJson, writeLine } from './terminal.ts';

export const authCommand: CliCommand = {
  name: 'auth',
  summary: 'sign in and show the user, project, region and image endpoint in use',
  usage: 'auth [--cloud NAME] [--json]',
  async run(argv, io, signal) {
    const { values } = parseArgs({
      args: [...argv],
      options: { cloud: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const config = await chooseCliCloud(values.cloud, io);
    if (config.imageService.kind === 'ims') return imsAuth(config, values.json, io, signal);
    const session = await Session.open(config, signal);
    const versions = await new GlanceClient(session).getVersions(signal);
    const d = session.details;
    const facts = {
      cloud: d.cloud,
      authUrl: d.authUrl,
      user: d.user,
      project: d.project,
      roles: d.roles,
      region: d.region,
      interface: d.interface,
      imageEndpoint: d.imageEndpoint,
      imageService: config.imageService,
      imageApiVersion: versions.current,
      tokenExpiresAt: d.expiresAt.toISOString(),
    };
    if (values.json) {
      writeJson(io.stdout, facts);
      return EXIT_OK;
    }
    const rows: [string, string][] = [
      ['cloud', d.cloud],
      ['auth url', d.authUrl],
      ['user', `${d.user.name} (${d.user.id}) in domain ${d.user.domain}`],
      ['project', `${d.project.name} (${d.project.id}) in domain ${d.project.domain}`],
      ['roles', d.roles.join(', ')],
      ['region', d.region ?? '(none)'],
      ['image endpoint', `${d.imageEndpoint} (${d.interface}, API ${versions.current ?? 'v2'})`],
      ['image service', `Glance: ${config.imageService.reason}`],
      ['token', `hidden; expires ${d.expiresAt.toISOString()}`],
    ];
    for (const [k, v] of rows) writeLine(io.stdout, `${k.padEnd(15)} ${v}`);
    return EXIT_OK;
  },
};

async function imsAuth(config: CloudConfig, json: boolean, io: CliIo, signal: AbortSignal): Promise<number> {
  const session = await HuaweiSession.open(config, signal);
  const ims = new ImsClient(session);
  const [quota, osVersions] = await Promise.all([ims.getQuota(signal), ims.listOsVersions(signal)]);
  const d = session.details;
  const facts = {
    cloud: d.cloud,
    authUrl: d.authUrl,
    imageService: config.imageService,
    auth: d.auth,
    user: d.user,
    project: { id: d.projectId, name: d.projectName },
    region: d.region,
    imsEndpoint: d.imsEndpoint,
    obsEndpoint: d.obsEndpoint,
    obsBucket: config.obsBucket ?? null,
    accessKey: config.accessKeys
      ? { source: config.accessKeys.source, temporary: Boolean(config.accessKeys.securityToken) }
      : null,
    imageQuota: quota,
    osVersions: osVersions.length,
    tokenExpiresAt: d.expiresAt?.toISOString() ?? null,
  };
  if (json) {
    writeJson(io.stdout, facts);
    return EXIT_OK;
  }
  const rows: [string, string][] = [
    ['cloud', d.cloud],
    ['image service', `IMS: ${config.imageService.reason}`],
    ['auth url', d.authUrl],
    [
      'signed in as',
      d.user
        ? `${d.user.name} (${d.user.id}) in account ${d.user.domain}`
        : `access key ${maskKey(config.accessKeys?.accessKey ?? '')} only (every call signed with it)`,
    ],
    ['project', `${d.projectName ?? '?'} (${d.projectId})`],
    ['region', d.region],
    ['IMS endpoint', `${d.imsEndpoint.url} (from the ${d.imsEndpoint.source})`],
    [
      'OBS endpoint',
      d.obsEndpoint ? `${d.obsEndpoint.url} (from the ${d.obsEndpoint.source})` : '(none: set obs_endpoint_override)',
    ],
    ['OBS bucket', config.obsBucket ?? '(none: set obs_bucket)'],
    [
      'OBS key',
      config.accessKeys
        ? `${maskKey(config.accessKeys.accessKey)}${config.accessKeys.securityToken ? ' (temporary)' : ''}, from ${config.accessKeys.source}`
        : '(none: set ak and sk)',
    ],
    ['private images', `${quota.used} of ${quota.quota}`],
    ['OS versions', `${osVersions.length} offered`],
    [
      'token',
      d.expiresAt ? `hidden; expires ${d.expiresAt.toISOString()}` : '(none: every call is signed with the access key)',
    ],
  ];
  for (const [k, v] of rows) writeLine(io.stdout, `${k.padEnd(15)} ${v}`);
  return EXIT_OK;
}

/** The access key id, shortened: enough to tell keys apart, not to copy one. */
function maskKey(accessKey: string): string {
  return accessKey.length <= 8 ? `${accessKey.slice(0, 2)}…` : `${accessKey.slice(0, 4)}…${accessKey.slice(-2)}`;
}

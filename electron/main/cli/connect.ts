// Opening a session for a CLI command: the cloud chosen as openstackclient chooses it.
import { ImagedropError } from '../errors.ts';
import { chooseCloud, type CloudConfig } from '../openstack/cloud-config.ts';
import { Session } from '../openstack/session.ts';
import type { CliIo } from './command.ts';

export async function chooseCliCloud(cloud: string | undefined, io: CliIo): Promise<CloudConfig> {
  const config = await chooseCloud({ ...(cloud ? { cloud } : {}), env: io.env, cwd: io.cwd });
  for (const warning of config.warnings) io.stderr.write(`warning: ${warning}\n`);
  return config;
}

/** A Glance session; a Huawei IMS cloud gets one sentence instead of Glance calls IMS would not answer. */
export async function openCliSession(cloud: string | undefined, io: CliIo, signal: AbortSignal): Promise<Session> {
  const config = await chooseCliCloud(cloud, io);
  if (config.imageService.kind === 'ims') {
    throw new ImagedropError(
      'config/invalid',
      `Cloud '${config.name}' uses Huawei Cloud IMS (${config.imageService.reason.split(';')[0]}), and this command speaks only Glance so far: 'auth' and 'images' work with it; to treat it as a Glance cloud, set image_service: glance.`,
    );
  }
  return Session.open(config, signal);
}

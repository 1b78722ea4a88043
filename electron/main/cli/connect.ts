// Opening a session for a CLI command: the cloud chosen as openstackclient chooses it.
import { plainHttpImageWarning } from '../../../shared/auth-url.ts';
import { ImagedropError } from '../errors.ts';
import { chooseCloud, type CloudConfig } from '../openstack/cloud-config.ts';
import { Session } from '../openstack/session.ts';
import type { CliIo } from './command.ts';
import { writeLine } from './terminal.ts';

export async function chooseCliCloud(cloud: string | undefined, io: CliIo): Promise<CloudConfig> {
  const config = await chooseCloud({ ...(cloud ? { cloud } : {}), env: io.env, cwd: io.cwd });
  // Before the sign-in: a password about to go out over plain http:// is said first.
  for (const warning of config.warnings) writeLine(io.stderr, `warning: ${warning}`);
  return config;
}

/** A Glance session; a Huawei IMS cloud gets one sentence instead of Glance calls IMS would not answer. */
export async function openCliSession(cloud: string | undefined, io: CliIo, signal: AbortSignal): Promise<Session> {
  const config = await chooseCliCloud(cloud, io);
  if (config.imageService.kind === 'ims') {
    throw new ImagedropError(
      'config/invalid',
      `Cloud '${config.name}' uses Huawei Cloud IMS (${config.imageService.reason.split(';')[0]}), and this command speaks only Glance: 'auth', 'images', 'upload' and 'resume' work with it; to treat it as a Glance cloud, set image_service: glance.`,
    );
  }
  return openGlanceSession(config, io, signal);
}

/** Signs in to a Glance cloud, and warns when its image endpoint is plain http:// to another machine. */
export async function openGlanceSession(config: CloudConfig, io: CliIo, signal: AbortSignal): Promise<Session> {
  const session = await Session.open(config, signal);
  const image = plainHttpImageWarning(session.imageEndpoint);
  if (image) writeLine(io.stderr, `warning: ${image}`);
  return session;
}

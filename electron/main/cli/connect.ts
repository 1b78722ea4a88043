// Opening a session for a CLI command: the cloud chosen as openstackclient chooses it.
import { plainHttpImageWarning } from '../../../shared/auth-url.ts';
import { chooseCloud } from '../openstack/cloud-config.ts';
import { Session } from '../openstack/session.ts';
import type { CliIo } from './command.ts';
import { writeLine } from './terminal.ts';

export async function openCliSession(cloud: string | undefined, io: CliIo, signal: AbortSignal): Promise<Session> {
  const config = await chooseCloud({ ...(cloud ? { cloud } : {}), env: io.env, cwd: io.cwd });
  // Before the sign-in: a password about to go out over plain http:// is said first.
  for (const warning of config.warnings) writeLine(io.stderr, `warning: ${warning}`);
  const session = await Session.open(config, signal);
  const image = plainHttpImageWarning(session.imageEndpoint);
  if (image) writeLine(io.stderr, `warning: ${image}`);
  return session;
}

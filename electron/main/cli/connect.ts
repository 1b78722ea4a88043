// Opening a session for a CLI command: the cloud chosen as openstackclient chooses it.
import { chooseCloud } from '../openstack/cloud-config.ts';
import { Session } from '../openstack/session.ts';
import type { CliIo } from './command.ts';
import { writeLine } from './terminal.ts';

export async function openCliSession(cloud: string | undefined, io: CliIo, signal: AbortSignal): Promise<Session> {
  const config = await chooseCloud({ ...(cloud ? { cloud } : {}), env: io.env, cwd: io.cwd });
  for (const warning of config.warnings) writeLine(io.stderr, `warning: ${warning}`);
  return Session.open(config, signal);
}

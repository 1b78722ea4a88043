// `cli auth`: signs in and prints who and where, never the token.
import { parseArgs } from 'node:util';
import { GlanceClient } from '../openstack/glance.ts';
import { EXIT_OK, type CliCommand } from './command.ts';
import { openCliSession } from './connect.ts';
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
    const session = await openCliSession(values.cloud, io, signal);
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
      ['token', `hidden; expires ${d.expiresAt.toISOString()}`],
    ];
    for (const [k, v] of rows) writeLine(io.stdout, `${k.padEnd(15)} ${v}`);
    return EXIT_OK;
  },
};

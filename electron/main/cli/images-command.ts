// `cli images`: every image in the project, across all pages.
import { parseArgs } from 'node:util';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import { formatBytes } from '../../../shared/format.ts';
import { ImagedropError } from '../errors.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { EXIT_OK, type CliCommand } from './command.ts';
import { openCliSession } from './connect.ts';
import { terminalSafe, writeJson, writeLine } from './terminal.ts';

export const imagesCommand: CliCommand = {
  name: 'images',
  summary: 'list every image in the project (all pages); --all for every image you can see',
  usage: `images [--cloud NAME] [--status ${GLANCE_IMAGE_STATUSES.join('|')}] [--all] [--json]`,
  async run(argv, io, signal) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        cloud: { type: 'string' },
        status: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        // Hidden (not in usage): images per request, so tests can make the list span pages.
        'page-size': { type: 'string' },
      },
      strict: true,
    });
    if (values.status && !(GLANCE_IMAGE_STATUSES as readonly string[]).includes(values.status)) {
      throw new ImagedropError(
        'ipc/invalid-request',
        `--status ${values.status} is not an image status: use one of ${GLANCE_IMAGE_STATUSES.join(', ')}.`,
      );
    }
    const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
      throw new ImagedropError(
        'ipc/invalid-request',
        `--page-size ${values['page-size']} is not a page size: give a whole number from 1 to 1000.`,
      );
    }
    const session = await openCliSession(values.cloud, io, signal);
    const { images } = await new GlanceClient(session).listImages(signal, {
      ...(values.status ? { status: values.status } : {}),
      ...(values.all ? {} : { owner: session.projectId }),
      ...(pageSize ? { limit: pageSize } : {}),
    });
    if (values.json) {
      writeJson(io.stdout, images);
      return EXIT_OK;
    }
    // Every cell is made terminal-safe before the widths are measured: names are anyone's text.
    const rows = images.map((i) =>
      [i.id, i.name ?? '', i.status, formatBytes(i.size), i.disk_format ?? '', i.updated_at].map((v) =>
        terminalSafe(String(v)),
      ),
    );
    const header = ['ID', 'NAME', 'STATUS', 'SIZE', 'FORMAT', 'UPDATED'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const row of [header, ...rows])
      writeLine(
        io.stdout,
        row
          .map((v, c) => v.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      );
    writeLine(io.stderr, `${images.length} image${images.length === 1 ? '' : 's'}`);
    return EXIT_OK;
  },
};

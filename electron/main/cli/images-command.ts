// `cli images`: every image in the project, across all pages.
import { parseArgs } from 'node:util';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import { formatBytes } from '../../../shared/format.ts';
import { ImagedropError } from '../errors.ts';
import { ImsClient, type ImsImage } from '../huawei/ims.ts';
import { HuaweiSession } from '../huawei/session.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { Session } from '../openstack/session.ts';
import { copyImageToStores } from '../core/image-copy.ts';
import { EXIT_OK, EXIT_PROBLEM, type CliCommand, type CliIo } from './command.ts';
import { chooseCliCloud } from './connect.ts';
import { terminalSafe, writeJson, writeLine } from './terminal.ts';

export const imagesCommand: CliCommand = {
  name: 'images',
  summary: 'list every image in the project (all pages); --all for every image you can see',
  usage: `images [--cloud NAME] [--status ${GLANCE_IMAGE_STATUSES.join('|')}] [--all] [--json]  |  images copy IMAGE --stores a,b [--cloud NAME] [--json]`,
  async run(argv, io, signal) {
    if (argv[0] === 'copy') return copyCommand(argv.slice(1), io, signal);
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
    const config = await chooseCliCloud(values.cloud, io);
    if (config.imageService.kind === 'ims') {
      const ims = new ImsClient(await HuaweiSession.open(config, signal));
      const found = await ims.listCloudImages(signal, {
        ...(values.status ? { status: values.status } : {}),
        ...(values.all ? { imagetype: null } : {}),
        ...(pageSize ? { pageSize } : {}),
      });
      if (values.json) {
        writeJson(io.stdout, found);
        return EXIT_OK;
      }
      const size = (i: ImsImage) =>
        i.__image_size && i.__image_size !== '0' ? formatBytes(Number(i.__image_size)) : '';
      table(
        io,
        ['ID', 'NAME', 'STATUS', 'SIZE', 'FORMAT', 'OS VERSION', 'UPDATED'],
        found.map((i) => [
          i.id,
          i.name ?? '',
          i.status,
          size(i),
          i.disk_format ?? '',
          i.__os_version ?? '',
          i.updated_at ?? '',
        ]),
      );
      writeLine(io.stderr, `${found.length} image${found.length === 1 ? '' : 's'} in IMS`);
      return EXIT_OK;
    }
    const session = await Session.open(config, signal);
    const { images } = await new GlanceClient(session).listImages(signal, {
      ...(values.status ? { status: values.status } : {}),
      ...(values.all ? {} : { owner: session.projectId }),
      ...(pageSize ? { limit: pageSize } : {}),
    });
    if (values.json) {
      writeJson(io.stdout, images);
      return EXIT_OK;
    }
    table(
      io,
      ['ID', 'NAME', 'STATUS', 'SIZE', 'FORMAT', 'UPDATED'],
      images.map((i) => [i.id, i.name ?? '', i.status, formatBytes(i.size), i.disk_format ?? '', i.updated_at]),
    );
    writeLine(io.stderr, `${images.length} image${images.length === 1 ? '' : 's'}`);
    return EXIT_OK;
  },
};

/** Every cell is made terminal-safe before the widths are measured: names are anyone's text. */
function table(io: CliIo, header: readonly string[], cells: readonly (readonly string[])[]): void {
  const rows = cells.map((row) => row.map((v) => terminalSafe(String(v))));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const row of [header, ...rows])
    writeLine(
      io.stdout,
      row
        .map((v, c) => v.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
}

/**
 * `images copy IMAGE --stores a,b`: Glance's copy-image of an active image to more stores, followed
 * store by store (one line per change; --json: the outcome per store).
 */
async function copyCommand(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      cloud: { type: 'string' },
      stores: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const imageId = positionals[0];
  if (!imageId || positionals.length > 1) {
    throw new ImagedropError('ipc/invalid-request', 'Name one IMAGE to copy: images copy IMAGE --stores a,b.');
  }
  const stores = (values.stores ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (stores.length === 0) {
    throw new ImagedropError('ipc/invalid-request', 'Name the stores to copy to: --stores a,b.');
  }
  const config = await chooseCliCloud(values.cloud, io);
  if (config.imageService.kind === 'ims') {
    throw new ImagedropError(
      'ipc/invalid-request',
      `Cloud '${config.name}' is a Huawei IMS cloud: it has no Glance stores to copy an image between.`,
    );
  }
  const glance = new GlanceClient(await Session.open(config, signal));
  const [importMethods, cloudStores] = await Promise.all([glance.getImportMethods(signal), glance.getStores(signal)]);
  let last = '';
  const outcome = await copyImageToStores(glance, { importMethods, stores: cloudStores }, imageId, stores, {
    signal,
    onProgress: (now) => {
      const line = now.map((s) => `${s.store}: ${s.state}`).join(', ');
      if (line !== last && !values.json) writeLine(io.stderr, `${imageId}: ${line}`);
      last = line;
    },
  });
  if (values.json) writeJson(io.stdout, outcome);
  else writeLine(io.stdout, `${imageId}: ${outcome.stores.map((s) => `${s.store} ${s.state}`).join(', ')}`);
  return outcome.stores.every((s) => s.state === 'done') ? EXIT_OK : EXIT_PROBLEM;
}

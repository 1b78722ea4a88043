// `cli uploads`: the unfinished multipart uploads this app started in an IMS cloud's OBS bucket
// (under the imagedrop/ prefix), which OBS keeps, and bills, until someone aborts them; and
// `cli uploads abort` to do so. An upload a job can still resume (in a CLI job log, or in the app's
// own queue, jobs.json in the same data folder) is never aborted from here: resume or cancel that
// job instead.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ImsContext } from '../core/ims-context.ts';
import { ImagedropError } from '../errors.ts';
import { abortUpload, listOrphans } from '../objstore/multipart.ts';
import { OBJECT_PREFIX } from '../targets/ims/object-leg.ts';
import { uploadsHeldByCliLogs, uploadsHeldByLogs } from '../core/multipart-uploads.ts';
import { defaultDataDir } from '../core/paths.ts';
import { EXIT_OK, EXIT_PROBLEM, type CliCommand, type CliIo } from './command.ts';
import { chooseCliCloud } from './connect.ts';
import { writeJson, writeLine } from './terminal.ts';
import { cliJobsDir } from './upload-command.ts';

/** Upload ids that unfinished jobs still use (the CLI's logs and the app's queue), with the job that uses each. */
async function uploadsInUse(io: CliIo): Promise<Map<string, string>> {
  const [cli, app] = await Promise.all([
    uploadsHeldByCliLogs(cliJobsDir(io)),
    uploadsHeldByLogs([path.join(defaultDataDir(io.env), 'jobs.json')]),
  ]);
  return new Map([...cli, ...app]);
}

export const uploadsCommand: CliCommand = {
  name: 'uploads',
  summary: "list the unfinished multipart uploads Imagedrop left in an IMS cloud's OBS bucket, and abort them",
  usage:
    'uploads [--cloud NAME] [--bucket B] [--json]  |  uploads abort UPLOAD_ID... | --all [--cloud NAME] [--bucket B]',
  async run(argv, io, signal) {
    const abort = argv[0] === 'abort';
    const { values, positionals } = parseArgs({
      args: [...(abort ? argv.slice(1) : argv)],
      allowPositionals: abort,
      options: {
        cloud: { type: 'string' },
        bucket: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const config = await chooseCliCloud(values.cloud, io);
    if (config.imageService.kind !== 'ims') {
      throw new ImagedropError(
        'ipc/invalid-request',
        `Cloud '${config.name}' is a Glance cloud: multipart uploads are what IMS's routes leave in an OBS bucket.`,
      );
    }
    const { openContext } = await import('../core/context.ts');
    const context = (await openContext(config, signal)) as ImsContext;
    const bucket = values.bucket ?? context.bucket;
    if (!context.objstore || !bucket) {
      throw new ImagedropError(
        'config/missing-field',
        `Cloud '${config.name}' has no OBS ${context.objstore ? 'bucket (obs_bucket, or --bucket)' : 'access key (ak, sk)'}: there is nowhere to look for uploads.`,
      );
    }
    const [found, inUse] = await Promise.all([
      listOrphans(context.objstore, bucket, OBJECT_PREFIX, signal),
      uploadsInUse(io),
    ]);
    if (!abort) {
      const rows = found.map((u) => ({ ...u, bucket, job: inUse.get(u.uploadId) ?? null }));
      if (values.json) writeJson(io.stdout, rows);
      else {
        for (const r of rows) {
          writeLine(
            io.stdout,
            `${r.uploadId}  ${r.initiated}  ${bucket}:${r.key}${r.job ? `  (job ${r.job} can resume it)` : ''}`,
          );
        }
        writeLine(
          io.stderr,
          `${rows.length} unfinished upload${rows.length === 1 ? '' : 's'} under ${bucket}:${OBJECT_PREFIX}`,
        );
      }
      return EXIT_OK;
    }
    const ids = positionals as string[];
    if (values.all === ids.length > 0) {
      throw new ImagedropError('ipc/invalid-request', 'Name the UPLOAD_IDs to abort, or give --all (not both).');
    }
    const chosen = values.all ? found : found.filter((u) => ids.includes(u.uploadId));
    const unknown = ids.filter((id) => !found.some((u) => u.uploadId === id));
    let problems = 0;
    for (const id of unknown) {
      problems += 1;
      writeLine(io.stderr, `${id}: no unfinished upload of Imagedrop's has this id in ${bucket}: see \`cli uploads\`.`);
    }
    for (const u of chosen) {
      const job = inUse.get(u.uploadId);
      if (job) {
        problems += values.all ? 0 : 1;
        writeLine(
          io.stderr,
          `${u.uploadId}: job ${job} can still resume it: \`cli resume ${job}\` finishes it, Ctrl-C on that run cancels it.`,
        );
        continue;
      }
      await abortUpload(context.objstore, { bucket, key: u.key, uploadId: u.uploadId }, signal);
      writeLine(io.stdout, `${u.uploadId}: aborted (${bucket}:${u.key})`);
    }
    return problems === 0 ? EXIT_OK : EXIT_PROBLEM;
  },
};

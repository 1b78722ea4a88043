// `cli upload`: create the record, upload, wait for `active`, verify; one JSON object per image
// with --json. `cli jobs` and `cli resume` pick up what a killed run left in its job log.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DISK_FORMATS, VISIBILITIES, type Visibility } from '../../../shared/glance.ts';
import { uploadRequestSchema } from '../../../shared/ipc-schema.ts';
import { isFinished } from '../../../shared/phases.ts';
import { TARGETS } from '../../../shared/targets.ts';
import { IMS_ROUTES, type ImsRouteChoice, type UploadRequest, type UploadSnapshot } from '../../../shared/upload.ts';
import type { CloudContext } from '../core/context.ts';
import { defaultDataDir } from '../core/paths.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import type { UploadEngine } from '../upload/engine.ts';
import { JOB_LOG_FLUSH_DEADLINE_MS, JobLog } from '../upload/job-log.ts';
import { restoredJob } from '../upload/policy/restore.ts';
import { EXIT_OK, EXIT_PROBLEM, type CliCommand, type CliIo } from './command.ts';
import type { CloudConfig } from '../openstack/cloud-config.ts';
import { chooseCliCloud, openGlanceSession } from './connect.ts';
import { createCliProgress, describeState } from './progress.ts';
import { writeJson, writeLine } from './terminal.ts';

/**
 * The engine, the inspector and their dependencies, loaded while Keystone checks the password
 * (about 0.3 s of waiting on the network) rather than before it.
 */
async function loadEngine() {
  const [context, imsContext, inspect, facts, engine, usage] = await Promise.all([
    import('../core/context.ts'),
    import('../core/ims-context.ts'),
    import('../inspect/index.ts'),
    import('../targets/glance/cloud-facts.ts'),
    import('../upload/engine.ts'),
    import('../core/usage.ts'),
  ]);
  return {
    buildContext: context.buildContext,
    openContext: context.openContext,
    resolveImsRoute: imsContext.resolveImsRoute,
    inspectFile: inspect.inspectFile,
    CloudFacts: facts.CloudFacts,
    UploadEngine: engine.UploadEngine,
    requireUploadsFit: usage.requireUploadsFit,
  };
}
type EngineModules = Awaited<ReturnType<typeof loadEngine>>;

/** What Imagedrop has learned about each cloud's hashing, kept across runs. */
async function loadFacts(io: CliIo, modules: EngineModules) {
  const facts = new modules.CloudFacts(path.join(defaultDataDir(io.env), 'cloud-facts.json'));
  await facts.load();
  return facts;
}

export function cliJobsDir(io: CliIo): string {
  return path.join(defaultDataDir(io.env), 'cli-jobs');
}

/** The per-image result line of --json (IMS routes add where the object went and the job). */
export function resultObject(s: UploadSnapshot, seconds: number | null) {
  const ims = TARGETS[s.target].service === 'ims';
  return {
    file: s.file,
    imageId: s.imageId,
    status: s.phase === 'done' ? s.imageStatus : s.phase,
    size: s.bytesTotal,
    checksum: s.checksums.md5Server,
    os_hash_algo: s.checksums.algorithm,
    os_hash_value: s.checksums.server,
    verified: s.verified,
    seconds,
    ...(s.target === 'glance-import' ? { stores: s.stores ?? [] } : {}),
    ...(ims
      ? {
          route: s.target.replace(/^ims-/, ''),
          jobId: s.remoteJob?.id ?? null,
          bucket: s.object?.bucket ?? null,
          object: s.object?.key ?? null,
          etag: s.object?.etag ?? null,
          verifiedBy: s.verifiedBy,
        }
      : {}),
    ...(s.error ? { error: { code: s.error.code, message: s.error.message } } : {}),
  };
}

/** What "verified" rests on, in the words of the result line. */
function verifiedWords(s: UploadSnapshot): string {
  if (s.verifiedBy === 'etag') return `verified (the object's ETag ${s.object?.etag ?? ''} equals the file's)`;
  if (s.verified) return `${s.checksums.algorithm ?? s.verifiedBy} verified`;
  return 'not verified (the image service reports no checksum for it)';
}

/** Done is a success when verified, and for IMS's native route, which IMS cannot verify (and says so). */
function succeeded(s: UploadSnapshot): boolean {
  return s.phase === 'done' && (s.verified || s.target === 'ims-native');
}

/** On an IMS cloud, 'auto' (or no route) becomes the route the file and the cloud allow. */
async function withRoutes(
  context: CloudContext,
  requests: readonly UploadRequest[],
  modules: EngineModules,
): Promise<UploadRequest[]> {
  if (context.kind !== 'ims') return [...requests];
  const detect = async (p: string) =>
    (await modules.inspectFile(p, { signal: AbortSignal.timeout(30_000) })).diskFormat;
  return Promise.all(requests.map(async (r) => ({ ...r, route: await modules.resolveImsRoute(context, r, detect) })));
}

/** How long this image's own run took, from its check to its end (not the whole command's time). */
function imageSeconds(s: UploadSnapshot): number | null {
  if (s.startedAt === null || s.finishedAt === null) return null;
  return Math.round(s.finishedAt - s.startedAt) / 1000;
}

interface RunOptions {
  /** Warnings of this run (the job log's among them), printed once the uploads are over. */
  readonly warnings: string[];
  readonly json: boolean;
  readonly concurrency: number;
  readonly recreateStuck: boolean;
}

/** Runs an engine to the end, with progress, Ctrl-C as cancel, and the results. */
async function runEngine(
  io: CliIo,
  signal: AbortSignal,
  modules: EngineModules,
  context: CloudContext,
  log: JobLog,
  options: RunOptions,
  start: (engine: UploadEngine) => Promise<string[]>,
): Promise<number> {
  const warnings = options.warnings;
  const engine = new modules.UploadEngine({
    context: () => context,
    inspect: modules.inspectFile,
    jobLog: log,
    concurrency: options.concurrency,
    autoRecreate: options.recreateStuck,
    onWarning: (m) => warnings.push(m),
  });
  const interactive = io.stderr.isTTY === true && !options.json;
  const progress = createCliProgress(io, interactive);
  engine.onDidChange((batch) => progress.update(batch));
  engine.onPhaseChange((s) => progress.phase(s));
  let ids: string[] = [];
  // Kept, so that nothing is reported (or the log removed) before every DELETE has answered.
  let cancelling: Promise<unknown> = Promise.resolve();
  const onAbort = () => {
    const open = ids.filter((id) => !isFinished(engine.get(id)?.phase ?? 'done'));
    cancelling = Promise.allSettled([cancelling, engine.cancel(open)]);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    ids = await start(engine);
    if (signal.aborted) onAbort(); // Ctrl-C came before the jobs were known
    await engine.whenSettled();
  } finally {
    signal.removeEventListener('abort', onAbort);
    progress.finish();
  }
  if (signal.aborted) {
    await cancelling;
    await engine.whenSettled();
    await engine.dispose();
    const left = ids.map((id) => engine.get(id)!).filter((s) => s.error && s.phase === 'cancelled');
    for (const s of left) writeLine(io.stderr, `${s.fileName}: ${s.error!.message}`);
    writeLine(
      io.stderr,
      left.length === 0
        ? 'Cancelled: every image record this run created was deleted.'
        : `Cancelled; the records named above are still on the server: \`cli jobs\` keeps them, and \`cli resume ${left.map((s) => s.id).join(' / ')}\` deletes them once the image service lets it.`,
    );
    await removeLogWhenFinished(engine, log, warnings);
    for (const w of warnings) writeLine(io.stderr, `warning: ${w}`);
    return 130;
  }
  await engine.dispose();
  await removeLogWhenFinished(engine, log, warnings);
  for (const w of warnings) writeLine(io.stderr, `warning: ${w}`);
  const results = ids.map((id) => engine.get(id)!);
  let failures = 0;
  for (const s of results) {
    if (s.phase === 'cancelled') {
      // `resume` of a cancelled job only cleans up what it left.
      if (!s.leftover) io.stderr.write(`${s.fileName}: cancelled; what it had left on the server was deleted.\n`);
      else {
        failures += 1;
        io.stderr.write(
          `${s.fileName}: ${s.leftover} is still on the server; run \`cli resume ${s.id}\` again later.\n`,
        );
      }
      continue;
    }
    const ok = succeeded(s);
    if (!ok) failures += 1;
    if (options.json) writeJson(io.stdout, resultObject(s, ok ? imageSeconds(s) : null));
    else if (ok) writeLine(io.stdout, `${s.file}: image ${s.imageId} active, ${verifiedWords(s)}`);
    if (!ok) {
      const why =
        s.phase === 'interrupted'
          ? `${s.error?.message ?? 'interrupted'} The job is kept: run \`cli resume ${s.id}${s.resume.kind === 'recreate' ? ' --recreate-stuck' : ''}\`.`
          : (s.error?.message ?? describeState(s));
      writeLine(io.stderr, `${s.fileName}: ${why}`);
    }
  }
  return failures === 0 ? EXIT_OK : EXIT_PROBLEM;
}

/**
 * A run's log is kept while any job in it, not only this run's, can still be resumed, or left
 * something behind that could not be cleaned up. A log that cannot be removed is a warning: the
 * uploads' outcome decides the exit status, not the log's.
 */
async function removeLogWhenFinished(engine: UploadEngine, log: JobLog, warnings: string[]): Promise<void> {
  if (!engine.list().every((s) => isFinished(s.phase) && !s.leftover)) return;
  try {
    await log.remove();
  } catch (e) {
    warnings.push(toAppError(e).message);
  }
}

function parseProperties(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new ImagedropError('ipc/invalid-request', `--property ${v} is not KEY=VALUE.`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ImagedropError('ipc/invalid-request', `--${name} ${value} is not a whole number.`);
  return n;
}

/** The option a field of an upload request comes from, for sentences about it. */
function optionOf(field: PropertyKey | undefined, file: string, named: boolean): string {
  switch (field) {
    case 'name':
      return named ? '--name' : `The image name taken from ${file}`;
    case 'minDisk':
      return '--min-disk';
    case 'minRam':
      return '--min-ram';
    case 'tags':
      return '--tag';
    case 'properties':
      return '--property';
    case 'store':
      return '--store';
    case 'diskFormat':
      return '--disk-format';
    case 'containerFormat':
      return '--container-format';
    case 'visibility':
      return '--visibility';
    default:
      return file;
  }
}

/**
 * Checks each request with the schema the app's IPC uses (shared/ipc-schema.ts), so that the CLI
 * refuses before signing in what the app would refuse, in a sentence about the option.
 */
export function checkUploadRequests(
  requests: readonly UploadRequest[],
  files: readonly string[],
  named: boolean,
): void {
  requests.forEach((request, i) => {
    const parsed = uploadRequestSchema.safeParse(request);
    if (parsed.success) return;
    // The tightest bound of the first field at fault (an int past 2^53 also fails the safe-integer check).
    const first = parsed.error.issues[0]!;
    const issue = parsed.error.issues
      .filter((i) => i.code === first.code && i.path.join('.') === first.path.join('.'))
      .reduce((a, b) =>
        a.code === 'too_big' && b.code === 'too_big' && Number(b.maximum) < Number(a.maximum) ? b : a,
      );
    const option = optionOf(issue.path[0], files[i]!, named);
    let value: unknown = request;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    let sentence: string;
    if (issue.code === 'too_big' && issue.origin === 'string' && typeof value === 'string') {
      sentence = `${option} is ${value.length} characters long; at most ${String(issue.maximum)} are allowed: give a shorter one.`;
    } else if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) {
      sentence = `${option} ${String(value)} is more than the ${String(issue.maximum)} allowed: give a smaller number.`;
    } else if (issue.code === 'too_big' && issue.origin === 'array') {
      sentence = `${option} is given more than the ${String(issue.maximum)} times allowed.`;
    } else if (issue.code === 'too_small') {
      sentence = `${option} must not be empty.`;
    } else {
      sentence = `${option} is not accepted: ${issue.message}.`;
    }
    throw new ImagedropError('ipc/invalid-request', sentence, { detail: issue.path.join('.') });
  });
}

/**
 * Refuses two spellings of one file (./a, a, a symlink to a, a hard link): each would become its
 * own image. Files that cannot be stat'ed are left to the upload, which says why per file.
 */
export async function refuseDuplicateFiles(files: readonly string[], cwd: string): Promise<void> {
  const seen = new Map<string, string>();
  for (const file of files) {
    let key: string;
    try {
      const s = await stat(path.resolve(cwd, file));
      key = `${s.dev}:${s.ino}`;
    } catch {
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ImagedropError(
        'ipc/invalid-request',
        first === file
          ? `${file} is named twice: name each file once (each name would become its own image).`
          : `${first} and ${file} are the same file: name each file once (each name would become its own image).`,
      );
    }
    seen.set(key, file);
  }
}

export const uploadCommand: CliCommand = {
  name: 'upload',
  summary: 'create an image record, upload the file, wait for active, verify the checksum',
  usage:
    'upload FILE... [--cloud NAME] [--name NAME] [--disk-format auto|raw|qcow2|vmdk|vhd|vhdx|vdi|iso|…] [--container-format bare] [--store ID] [--visibility private|shared|community|public] [--min-disk GB] [--min-ram MB] [--property KEY=VALUE]... [--tag TAG]... [--protected] [--concurrency N] [--recreate-stuck] [--json]  Glance import: [--import [--stores a,b | --all-stores] [--allow-failure]]  Huawei IMS: [--route auto|register|create|native|quick] [--bucket B] [--object KEY] [--os-version TEXT] [--keep-object]',
  async run(argv, io, signal) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        cloud: { type: 'string' },
        name: { type: 'string' },
        'disk-format': { type: 'string', default: 'auto' },
        'container-format': { type: 'string', default: 'bare' },
        store: { type: 'string' },
        visibility: { type: 'string', default: 'private' },
        'min-disk': { type: 'string' },
        'min-ram': { type: 'string' },
        property: { type: 'string', multiple: true, default: [] },
        tag: { type: 'string', multiple: true, default: [] },
        protected: { type: 'boolean', default: false },
        concurrency: { type: 'string', default: '2' },
        'recreate-stuck': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        route: { type: 'string' },
        bucket: { type: 'string' },
        object: { type: 'string' },
        'os-version': { type: 'string' },
        'keep-object': { type: 'boolean', default: false },
        import: { type: 'boolean', default: false },
        stores: { type: 'string' },
        'all-stores': { type: 'boolean', default: false },
        'allow-failure': { type: 'boolean', default: false },
      },
    });
    if (positionals.length === 0) throw new ImagedropError('ipc/invalid-request', 'Name at least one FILE to upload.');
    const route = values.route;
    if (route !== undefined && !(IMS_ROUTES as readonly string[]).includes(route)) {
      throw new ImagedropError(
        'ipc/invalid-request',
        `--route ${route} is unknown: use one of ${IMS_ROUTES.join(', ')}.`,
      );
    }
    if (values.object !== undefined && positionals.length > 1) {
      throw new ImagedropError(
        'ipc/invalid-request',
        '--object names one object: give one FILE with it, or leave it out.',
      );
    }
    const importStores = (values.stores ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (!values.import && (values.stores !== undefined || values['all-stores'] || values['allow-failure'])) {
      throw new ImagedropError(
        'ipc/invalid-request',
        '--stores, --all-stores and --allow-failure go with --import (the interoperable import): add --import, or leave them out (--store picks the store of a plain upload).',
      );
    }
    if (values['all-stores'] && values.stores !== undefined) {
      throw new ImagedropError('ipc/invalid-request', 'Give --stores a,b or --all-stores, not both.');
    }
    const glanceOnly = values.import ? ['--import'] : [];
    const imsOnly = [
      ...(route !== undefined ? ['--route'] : []),
      ...(values.bucket !== undefined ? ['--bucket'] : []),
      ...(values.object !== undefined ? ['--object'] : []),
      ...(values['os-version'] !== undefined ? ['--os-version'] : []),
      ...(values['keep-object'] ? ['--keep-object'] : []),
    ];
    if (values.name && positionals.length > 1) {
      throw new ImagedropError(
        'ipc/invalid-request',
        '--name names one image: give one FILE with it, or leave --name out.',
      );
    }
    const diskFormat = values['disk-format'];
    if (diskFormat !== 'auto' && !(DISK_FORMATS as readonly string[]).includes(diskFormat)) {
      throw new ImagedropError(
        'ipc/invalid-request',
        `--disk-format ${diskFormat} is unknown: use auto or one of ${DISK_FORMATS.join(', ')}.`,
      );
    }
    if (!(VISIBILITIES as readonly string[]).includes(values.visibility)) {
      throw new ImagedropError('ipc/invalid-request', `--visibility must be one of ${VISIBILITIES.join(', ')}.`);
    }
    const concurrency = nonNegativeInt('concurrency', values.concurrency) ?? 2;
    const minDisk = nonNegativeInt('min-disk', values['min-disk']);
    const minRam = nonNegativeInt('min-ram', values['min-ram']);
    const properties = parseProperties(values.property);
    const requests: UploadRequest[] = positionals.map((file) => ({
      path: path.resolve(io.cwd, file),
      name: values.name ?? path.basename(file).replace(/\.[^.]+$/, ''),
      diskFormat,
      containerFormat: values['container-format'],
      visibility: values.visibility as Visibility,
      ...(minDisk !== undefined ? { minDisk } : {}),
      ...(minRam !== undefined ? { minRam } : {}),
      ...(values.protected ? { protected: true } : {}),
      ...(values.tag.length ? { tags: values.tag } : {}),
      ...(Object.keys(properties).length ? { properties } : {}),
      ...(values.store ? { store: values.store } : {}),
      ...(route ? { route: route as ImsRouteChoice } : {}),
      ...(values.bucket ? { bucket: values.bucket } : {}),
      ...(values.object ? { objectKey: values.object } : {}),
      ...(values['os-version'] ? { osVersion: values['os-version'] } : {}),
      ...(values['keep-object'] ? { keepObject: true } : {}),
      ...(values.import
        ? {
            import: {
              stores: values['all-stores'] ? ('all' as const) : importStores,
              allowFailure: values['allow-failure'],
            },
          }
        : {}),
    }));
    // What the app's IPC would refuse, refused here too, before anything is signed in to.
    checkUploadRequests(requests, positionals, values.name !== undefined);
    await refuseDuplicateFiles(positionals, io.cwd);
    // The job log first: the id of each record is saved there before the record is created, so
    // a log that cannot be written stops the run before anything is signed in to or created.
    const warnings: string[] = [];
    const log = new JobLog(
      path.join(cliJobsDir(io), `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.json`),
      { onWarning: (m) => warnings.push(m) },
    );
    const logReady = log.save(() => []).then(() => log.flush(JOB_LOG_FLUSH_DEADLINE_MS));
    const opening = Promise.all([chooseCliCloud(values.cloud, io), loadEngine()]);
    opening.catch(() => undefined); // awaited below, unless the log already failed
    await logReady;
    let modules: EngineModules;
    let context: CloudContext;
    let ready: UploadRequest[];
    try {
      let config: CloudConfig;
      [config, modules] = await opening;
      const facts = await loadFacts(io, modules);
      if (config.imageService.kind === 'ims') {
        if (glanceOnly.length > 0) {
          throw new ImagedropError(
            'ipc/invalid-request',
            `--import is Glance's interoperable import, and '${config.name}' is a Huawei IMS cloud: leave it out (--route chooses how IMS takes the file).`,
          );
        }
        context = await modules.openContext(config, signal, { facts });
      } else {
        if (imsOnly.length > 0) {
          throw new ImagedropError(
            'ipc/invalid-request',
            `${imsOnly.join(', ')} ${imsOnly.length === 1 ? 'is' : 'are'} for Huawei IMS clouds, and '${config.name}' is a Glance cloud: leave ${imsOnly.length === 1 ? 'it' : 'them'} out.`,
          );
        }
        const session = await openGlanceSession(config, io, signal);
        context = await modules.buildContext(session, signal, {
          uploadOnly: { stores: values.store !== undefined, import: values.import },
          facts,
        });
      }
      if (values.store && !context.capabilities.stores.some((s) => s.id === values.store)) {
        throw new ImagedropError(
          'preflight/unknown-store',
          context.capabilities.stores.length
            ? `This cloud has no store named ${values.store}: choose one of ${context.capabilities.stores.map((s) => s.id).join(', ')}.`
            : `This cloud offers no store choice: leave --store out.`,
        );
      }
      ready = await withRoutes(context, requests, modules);
      // As in the app: what cannot fit the project's quota is refused before any record is made.
      await modules.requireUploadsFit(context, [], ready, signal);
    } catch (e) {
      await log.remove().catch(() => undefined); // still empty: nothing to resume
      throw e;
    }
    return runEngine(
      io,
      signal,
      modules,
      context,
      log,
      {
        warnings,
        json: values.json,
        concurrency: Math.max(1, concurrency),
        recreateStuck: values['recreate-stuck'],
      },
      async (engine) => engine.add(ready),
    );
  },
};

async function cliLogs(io: CliIo): Promise<string[]> {
  try {
    return (await readdir(cliJobsDir(io))).filter((f) => f.endsWith('.json')).map((f) => path.join(cliJobsDir(io), f));
  } catch {
    return [];
  }
}

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: 'list uploads that a CLI run left unfinished (after a crash, a kill, or a lost connection)',
  usage: 'jobs [--json]',
  async run(argv, io) {
    const { values } = parseArgs({ args: [...argv], options: { json: { type: 'boolean', default: false } } });
    const rows: {
      id: string;
      file: string;
      phase: string;
      imageId: string | null;
      cloud: string | null;
      resume: string;
      leftover: string | null;
    }[] = [];
    for (const file of await cliLogs(io)) {
      for (const r of await new JobLog(file, { onWarning: (m) => writeLine(io.stderr, `warning: ${m}`) }).load()) {
        // As `resume` will find it: a job that was running when its run was killed is interrupted.
        const restored = restoredJob(r, false);
        rows.push({
          id: r.id,
          file: r.request.path,
          phase: restored.phase,
          imageId: r.image.id,
          cloud: r.cloudName,
          resume: restored.resume.kind,
          leftover: r.leftover,
        });
      }
    }
    if (values.json) writeJson(io.stdout, rows);
    else
      for (const r of rows)
        writeLine(
          io.stdout,
          `${r.id}  ${r.phase.padEnd(11)}  ${r.cloud ?? ''}  ${r.imageId ?? '-'}  ${r.file}${r.leftover ? `  (left behind: ${r.leftover})` : ''}`,
        );
    return EXIT_OK;
  },
};

export const resumeCommand: CliCommand = {
  name: 'resume',
  summary: 'resume an unfinished upload from a CLI job log (again from byte 0: Glance cannot continue a broken upload)',
  usage: 'resume JOB_ID [--cloud NAME] [--recreate-stuck] [--json]',
  async run(argv, io, signal) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        cloud: { type: 'string' },
        'recreate-stuck': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const id = positionals[0];
    if (!id) throw new ImagedropError('ipc/invalid-request', 'Name the JOB_ID to resume (see `cli jobs`).');
    let logFile: string | null = null;
    let cloudName: string | null = null;
    for (const file of await cliLogs(io)) {
      const found = (await new JobLog(file).load()).find((r) => r.id === id);
      if (found) {
        logFile = file;
        cloudName = found.cloudName;
        break;
      }
    }
    if (!logFile)
      throw new ImagedropError('ipc/unknown-upload', `No unfinished CLI upload has the id ${id}: see \`cli jobs\`.`);
    // A job run from an openrc (OS_* variables) names the 'envvars' cloud, which is no clouds.yaml
    // entry: take the environment again.
    const fromEnvironment = cloudName === (io.env.OS_CLOUD_NAME ?? 'envvars');
    const cloud = values.cloud ?? (fromEnvironment ? undefined : (cloudName ?? undefined));
    const [config, modules] = await Promise.all([chooseCliCloud(cloud, io), loadEngine()]);
    const facts = await loadFacts(io, modules);
    const context =
      config.imageService.kind === 'ims'
        ? await modules.openContext(config, signal, { facts })
        : await modules.buildContext(await openGlanceSession(config, io, signal), signal, { facts });
    const warnings: string[] = [];
    const log = new JobLog(logFile, { onWarning: (m) => warnings.push(m) });
    return runEngine(
      io,
      signal,
      modules,
      context,
      log,
      { warnings, json: values.json, concurrency: 2, recreateStuck: values['recreate-stuck'] },
      async (engine) => {
        // Only the named job runs; the rest of that run's log waits for its own `cli resume`.
        await engine.restore({ hold: (jobId) => jobId !== id });
        const job = engine.get(id);
        if (!job) throw new ImagedropError('ipc/unknown-upload', `No unfinished CLI upload has the id ${id}.`);
        await engine.refreshInterrupted(signal);
        if (job.phase === 'interrupted') engine.resume([id], { recreate: values['recreate-stuck'] });
        else if (job.phase === 'failed') engine.retry([id]);
        // A cancelled job that left a record behind: delete it now.
        else if (job.phase === 'cancelled' && job.leftover) await engine.cleanUpLeftovers([id]);
        return [id];
      },
    );
  },
};

// The headless CLI over the same core as the app: `npm run --silent cli -- <command>`.
// It owns process concerns only (argv, Ctrl-C, exit codes, one clear sentence on stderr);
// each command lives in its own module. Must not import electron.
import { toAppError } from '../errors.ts';
import { closeDispatchers } from '../openstack/http.ts';
import { EXIT_ERROR, type CliCommand, type CliIo } from './command.ts';
import { writeLine } from './terminal.ts';

const COMMANDS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  auth: async () => (await import('./auth-command.ts')).authCommand,
  images: async () => (await import('./images-command.ts')).imagesCommand,
  inspect: async () => (await import('./inspect-command.ts')).inspectCommand,
  upload: async () => (await import('./upload-command.ts')).uploadCommand,
  jobs: async () => (await import('./upload-command.ts')).jobsCommand,
  resume: async () => (await import('./upload-command.ts')).resumeCommand,
  uploads: async () => (await import('./uploads-command.ts')).uploadsCommand,
  serve: async () => (await import('./serve-command.ts')).serveCommand,
};

function usage(io: CliIo, names: readonly string[]): void {
  io.stderr.write(`usage: npm run --silent cli -- <command> [options]\n\ncommands: ${names.join(', ')}\n`);
  io.stderr.write('run `npm run --silent cli -- help <command>` for its options\n');
}

export async function main(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0] && COMMANDS[rest[0]] ? await COMMANDS[rest[0]]!() : null;
    if (target) io.stdout.write(`usage: npm run --silent cli -- ${target.usage}\n${target.summary}\n`);
    else {
      const all = await Promise.all(Object.values(COMMANDS).map((load) => load()));
      io.stdout.write('usage: npm run --silent cli -- <command> [options]\n\n');
      for (const c of all) io.stdout.write(`  ${c.usage}\n      ${c.summary}\n`);
    }
    return name ? 0 : EXIT_ERROR;
  }
  const load = COMMANDS[name];
  if (!load) {
    writeLine(io.stderr, `Unknown command '${name}'.`);
    usage(io, Object.keys(COMMANDS));
    return EXIT_ERROR;
  }
  const command = await load();
  try {
    return await command.run(rest, io, signal);
  } catch (e) {
    const code = (e as { code?: string } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      writeLine(io.stderr, (e as Error).message);
      writeLine(io.stderr, `usage: npm run --silent cli -- ${command.usage}`);
      return EXIT_ERROR;
    }
    if (signal.aborted) {
      io.stderr.write('Cancelled.\n');
      return 130;
    }
    const error = toAppError(e);
    writeLine(io.stderr, error.message);
    if (io.env.IMAGEDROP_DEBUG) {
      writeLine(io.stderr, `  code: ${error.code}${error.httpStatus ? `, HTTP ${error.httpStatus}` : ''}`);
      if (error.serverMessage) writeLine(io.stderr, `  server: ${error.serverMessage}`);
      if (error.detail) writeLine(io.stderr, `  detail: ${error.detail}`);
    }
    return EXIT_ERROR;
  }
}

/** Runs the CLI as a process: Ctrl-C cancels (a second one exits at once), the exit code is set. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  // `cli images | head`: the reader went away; that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C does not wait for the clean-up
    controller.abort(new DOMException('Interrupted by Ctrl-C.', 'AbortError'));
  });
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  const code = await main(argv, io, controller.signal);
  await closeDispatchers();
  process.exitCode = code;
}

if (import.meta.main) await runCli(process.argv.slice(2));

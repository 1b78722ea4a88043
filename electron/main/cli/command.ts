// What every CLI subcommand looks like. The dispatcher (index.ts) parses nothing itself: each
// command gets its argv and the process's streams, and returns an exit code.
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `cli help`. */
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number>;
}

/** Exit codes: 0 success, 1 the command ran and found a problem (unsafe file, failed upload), 2 bad usage or error. */
export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_ERROR = 2;

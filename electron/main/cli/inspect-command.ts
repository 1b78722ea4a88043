// `inspect FILE... [--json] [--disk-format FMT] [--cloud NAME]`: one report per file. With --json,
// one JSON object per line, always with the contract keys
// {"file","format","subformat","virtualSize","size","safe","reasons":[{"code","message"}],"diskFormat"}.
// A file that cannot be inspected (missing, unreadable, a folder or device) has nulls, safe false,
// one reason whose code is the error's without its prefix ("not-found", "unreadable", "not-a-file"),
// and an extra "error" object with the full code. A safe file that newer Glance would still refuse
// (a fixed VHD, qcow2 with extended L2, QED, QCOW v1) gets an "advice":[{"code","message"}] key after
// the contract keys; advice never changes "safe" or the exit status. With --cloud, what the cloud
// will not take (format-not-accepted, over-size-limit) is a reason too: the text says "safe, but
// this cloud will not take it", while --json keeps "safe" false, as the upload would be refused.
// Exit 0 when every file is safe, 1 when any file is unsafe, not taken by the cloud, or could not
// be inspected, 2 on bad usage or when the cloud cannot be asked.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DISK_FORMATS } from '../../../shared/glance.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { AppError, AppErrorCode } from '../../../shared/errors.ts';
import { CLOUD_REASON_CODES } from '../../../shared/inspect.ts';
import { EXIT_ERROR, EXIT_OK, EXIT_PROBLEM, type CliCommand, type CliIo } from './command.ts';
import { openCliSession } from './connect.ts';
import { writeLine } from './terminal.ts';
import { toAppError } from '../errors.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { inspectFile, type InspectionReport } from '../inspect/inspect-file.ts';

const USAGE = 'inspect FILE... [--json] [--disk-format FMT] [--cloud NAME]';

/** One human-readable line, terminal-safe (file names, reasons and server text can hold escapes). */
function write(stream: CliIo['stdout'], line: string): void {
  writeLine(stream, line);
}

/** One JSON line, exact. */
function writeJsonLine(stream: CliIo['stdout'], json: string): void {
  stream.write(`${json}\n`);
}

function toJson(file: string, r: InspectionReport): string {
  return JSON.stringify({
    file,
    format: r.format,
    subformat: r.subformat,
    virtualSize: r.virtualSize,
    size: r.size,
    safe: r.safe,
    reasons: r.reasons.map(({ code, message }) => ({ code, message })),
    diskFormat: r.diskFormat,
    ...(r.advice.length > 0 ? { advice: r.advice.map(({ code, message }) => ({ code, message })) } : {}),
  });
}

/** The JSON line for a file that could not be inspected: the contract keys, then the error itself. */
function errorToJson(file: string, error: AppError): string {
  return JSON.stringify({
    file,
    format: null,
    subformat: null,
    virtualSize: null,
    size: null,
    safe: false,
    reasons: [{ code: errorReasonCode(error.code), message: error.message }],
    diskFormat: null,
    error: { code: error.code, message: error.message },
  });
}

/** 'file/not-found' → 'not-found': the reason code of a file that could not be inspected. */
export function errorReasonCode(code: AppErrorCode): string {
  return code.slice(code.indexOf('/') + 1);
}

/**
 * 'safe', 'NOT SAFE', or — when the only reasons are about what the cloud takes (its formats, its
 * size limit) — 'safe, but this cloud will not take it': the file is fine, this cloud is not.
 */
export function verdictLabel(r: Pick<InspectionReport, 'safe' | 'reasons'>): string {
  if (r.safe) return 'safe';
  return r.reasons.every((reason) => CLOUD_REASON_CODES.includes(reason.code))
    ? 'safe, but this cloud will not take it'
    : 'NOT SAFE';
}

function toText(file: string, r: InspectionReport): string[] {
  const format = r.subformat ? `${r.format} (${r.subformat})` : r.format;
  const verdict = verdictLabel(r);
  const head = `${file}: ${format}, virtual ${formatBytes(r.virtualSize)}, file ${formatBytes(r.size)}: ${verdict}, disk_format ${r.diskFormat}`;
  return [
    head,
    ...r.reasons.map((reason) => `  ${reason.code}: ${reason.message}`),
    ...r.advice.map((advice) => `  advice (${advice.code}): ${advice.message}`),
  ];
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: "Tell each disk image's real format, virtual size and whether it is safe to upload.",
  usage: USAGE,
  async run(argv, io, signal) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          json: { type: 'boolean', default: false },
          'disk-format': { type: 'string' },
          cloud: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (e) {
      write(io.stderr, `inspect: ${(e as Error).message}`);
      write(io.stderr, `usage: ${USAGE}`);
      return EXIT_ERROR;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      write(io.stdout, `usage: ${USAGE}`);
      write(io.stdout, '  --json              one JSON object per file, one per line');
      write(
        io.stdout,
        '  --disk-format FMT   the disk_format you mean to send (auto: none); a different content is reported',
      );
      write(
        io.stdout,
        '  --cloud NAME        also check that the cloud accepts the disk_format (its image schema) and the size (image_size_limit)',
      );
      write(io.stdout, 'exit status: 0 every file is safe; 1 a file is unsafe or cannot be inspected; 2 bad usage,');
      write(io.stdout, '  or the cloud could not be asked');
      return EXIT_OK;
    }
    const declared = values['disk-format'];
    if (declared !== undefined && declared !== 'auto' && !(DISK_FORMATS as readonly string[]).includes(declared)) {
      write(
        io.stderr,
        `inspect: unknown disk format ${JSON.stringify(declared)}; use auto or one of ${DISK_FORMATS.join(', ')}.`,
      );
      return EXIT_ERROR;
    }
    if (positionals.length === 0) {
      write(io.stderr, 'inspect: name at least one file.');
      write(io.stderr, `usage: ${USAGE}`);
      return EXIT_ERROR;
    }
    let accepted: readonly string[] | undefined;
    let sizeLimit: number | undefined;
    if (values.cloud) {
      try {
        const session = await openCliSession(values.cloud, io, signal);
        sizeLimit = session.config.sizeLimit;
        const listed = (await new GlanceClient(session).getImageSchema(signal)).diskFormats;
        // No disk_format enum in the schema: it says nothing about what is accepted (as service.ts).
        if (listed.length > 0) accepted = listed;
        else write(io.stderr, `inspect: the image schema of ${values.cloud} lists no disk formats; not checked.`);
      } catch (e) {
        write(io.stderr, toAppError(e).message);
        return EXIT_ERROR;
      }
    }
    let allSafe = true;
    for (const file of positionals) {
      if (signal.aborted) return EXIT_ERROR;
      try {
        const report = await inspectFile(resolve(io.cwd, file), {
          ...(declared === undefined ? {} : { declaredFormat: declared }),
          ...(accepted ? { acceptedDiskFormats: accepted } : {}),
          ...(sizeLimit === undefined ? {} : { sizeLimit }),
          signal, // Ctrl-C abandons a read stuck on a dead mount
        });
        allSafe &&= report.safe;
        if (values.json) writeJsonLine(io.stdout, toJson(file, report));
        else for (const line of toText(file, report)) write(io.stdout, line);
      } catch (e) {
        allSafe = false;
        const error = toAppError(e);
        if (values.json) writeJsonLine(io.stdout, errorToJson(file, error));
        else write(io.stderr, `${file}: cannot inspect: ${error.message}`);
      }
    }
    return allSafe ? EXIT_OK : EXIT_PROBLEM;
  },
};

// The main process throws ImagedropError (a code, a sentence, a retryable flag) and converts
// anything else with toAppError() before it crosses a boundary (IPC, CLI, job log).
import type { AppError, AppErrorCode } from '../../shared/errors.ts';
import { isAppError } from '../../shared/errors.ts';

export interface ImagedropErrorOptions {
  retryable?: boolean;
  httpStatus?: number;
  serverMessage?: string;
  detail?: string;
  cause?: unknown;
}

export class ImagedropError extends Error {
  override readonly name = 'ImagedropError';
  readonly code: AppErrorCode;
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly serverMessage: string | undefined;
  readonly detail: string | undefined;

  constructor(code: AppErrorCode, message: string, options: ImagedropErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.httpStatus = options.httpStatus;
    this.serverMessage = options.serverMessage;
    this.detail = options.detail;
  }

  toAppError(): AppError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      ...(this.serverMessage === undefined ? {} : { serverMessage: this.serverMessage }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export function isImagedropError(e: unknown): e is ImagedropError {
  return e instanceof ImagedropError;
}

/** Node's errno codes on file operations → a sentence about the file. */
export function fileError(e: unknown, path: string): ImagedropError {
  const code = (e as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new ImagedropError('file/not-found', `${path} does not exist: check the path, or drop the file again.`, {
        detail: code,
      });
    case 'EACCES':
    case 'EPERM':
      return new ImagedropError('file/unreadable', `${path} cannot be read: you do not have permission to read it.`, {
        detail: code,
      });
    case 'EISDIR':
      return new ImagedropError('file/not-a-file', `${path} is a folder, not a disk image file.`, { detail: code });
    default:
      return new ImagedropError(
        'file/unreadable',
        `${path} cannot be read (${code ?? 'unknown error'}): check the disk and try again.`,
        { detail: code ?? String(e), cause: e },
      );
  }
}

/**
 * The one converter from anything thrown to the AppError shape. Network errors from undici and
 * Node are classified in openstack/http.ts (networkError) before they reach here; what is left
 * unknown becomes 'internal' with its message kept as detail, never as the user's sentence.
 */
export function toAppError(e: unknown): AppError {
  if (e instanceof ImagedropError) return e.toAppError();
  if (isAppError(e)) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && e.name === 'AbortError') {
    return { code: 'upload/cancelled', message: 'The operation was cancelled.', retryable: false };
  }
  // What AbortSignal.timeout() aborts with: a deadline ran out, as undici's own timeouts do.
  if ((e as { name?: unknown } | null)?.name === 'TimeoutError') {
    return {
      code: 'network/timeout',
      message: 'The cloud did not answer in time: check your network, or try again later.',
      retryable: true,
      detail: e instanceof Error ? e.message : String(e),
    };
  }
  return {
    code: 'internal',
    message: 'Imagedrop hit an unexpected problem; try again, and report it if it keeps happening.',
    retryable: false,
    detail: e instanceof Error ? `${typeof code === 'string' ? code + ': ' : ''}${e.message}` : String(e),
  };
}

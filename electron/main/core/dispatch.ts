// The one way a call from the renderer reaches the core, whatever the transport (Electron's
// ipcMain, or the e2e harness's Playwright binding): the arguments are validated against the
// contract, the handler runs, and the answer is always a Result. Nothing throws across a bridge.
import type { InvokeArgs, InvokeMethod, InvokeValue } from '../../../shared/ipc.ts';
import { parseInvokeArgs } from '../../../shared/ipc-schema.ts';
import { fail, ok, type Result } from '../../../shared/result.ts';
import { toAppError } from '../errors.ts';

/** Every invoke method, as a plain async function that may throw. */
export type InvokeHandlers = { [M in InvokeMethod]: (...args: InvokeArgs<M>) => Promise<InvokeValue<M>> };

export async function dispatchInvoke<M extends InvokeMethod>(
  handlers: InvokeHandlers,
  method: M,
  rawArgs: readonly unknown[],
): Promise<Result<InvokeValue<M>>> {
  const parsed = parseInvokeArgs(method, rawArgs);
  if (!parsed.ok) {
    return fail({ code: 'ipc/invalid-request', message: 'Imagedrop received a request it cannot read.', retryable: false, detail: parsed.problem });
  }
  try {
    const handler = handlers[method] as (...args: InvokeArgs<M>) => Promise<InvokeValue<M>>;
    return ok(await handler(...parsed.args));
  } catch (e) {
    return fail(toAppError(e));
  }
}

// The one way a call from the renderer reaches the core, whatever the transport (Electron's
// ipcMain, or the e2e harness's Playwright binding): the arguments are validated against the
// contract, the handler runs, and the answer is always a Result. Nothing throws across a bridge.
import { INVOKE_CHANNELS, type InvokeArgs, type InvokeMethod, type InvokeValue } from '../../../shared/ipc.ts';
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
    return fail({
      code: 'ipc/invalid-request',
      message: 'Imagedrop received a request it cannot read.',
      retryable: false,
      detail: parsed.problem,
    });
  }
  try {
    const handler = handlers[method] as (...args: InvokeArgs<M>) => Promise<InvokeValue<M>>;
    return ok(await handler(...parsed.args));
  } catch (e) {
    return fail(toAppError(e));
  }
}

const METHOD_BY_CHANNEL: ReadonlyMap<string, InvokeMethod> = new Map(
  (Object.entries(INVOKE_CHANNELS) as [InvokeMethod, string][]).map(([method, channel]) => [channel, method]),
);

/** The invoke method a channel name stands for, or undefined for anything else. */
export function methodForChannel(channel: string): InvokeMethod | undefined {
  return METHOD_BY_CHANNEL.get(channel);
}

/** Dispatches by channel name (what a transport carries). Unknown channels get an error Result. */
export async function dispatchChannel(
  handlers: InvokeHandlers,
  channel: string,
  rawArgs: readonly unknown[],
): Promise<Result<unknown>> {
  const method = methodForChannel(channel);
  if (!method) {
    return fail({
      code: 'ipc/invalid-request',
      message: 'Imagedrop received a request it cannot read.',
      retryable: false,
      detail: `unknown channel ${channel}`,
    });
  }
  return dispatchInvoke(handlers, method, rawArgs);
}

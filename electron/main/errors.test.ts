import { describe, expect, it } from 'vitest';
import { toAppError } from './errors.ts';

describe('toAppError', () => {
  it('a deadline from AbortSignal.timeout() is network/timeout, retryable (not an unexpected problem)', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    expect((signal.reason as Error).name).toBe('TimeoutError');
    expect(toAppError(signal.reason)).toEqual({
      code: 'network/timeout',
      message: 'The cloud did not answer in time: check your network, or try again later.',
      retryable: true,
      detail: (signal.reason as Error).message,
    });
  });

  it('a cancel stays a cancel', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toAppError(controller.signal.reason)).toMatchObject({ code: 'upload/cancelled', retryable: false });
  });

  it('anything else is internal, with its message kept as detail', () => {
    expect(toAppError(new TypeError('x is undefined'))).toMatchObject({ code: 'internal', detail: 'x is undefined' });
  });
});

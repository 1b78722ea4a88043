// Results instead of exceptions across the IPC bridge: when a main-process handler throws,
// only `message` reaches the renderer, so every call returns one of these.
import type { AppError } from './errors.ts';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: AppError): Result<T> {
  return { ok: false, error };
}

// The only module that touches Tauri's IPC. Every other api/*.ts wraps one command per function.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { t, hasKey } from '../i18n';

/** An error as it crosses IPC: `code` from the core's ErrorKind (or the shell), `message` translated. */
export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
    public retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Turns whatever the shell rejected with into an AppError with one clear sentence. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e && typeof e === 'object' && 'code' in e) {
    const o = e as { code: string; message?: string; retry_after_s?: number };
    const key = `err_${o.code}`;
    const msg =
      o.message && o.message.length > 0
        ? o.message
        : hasKey(key)
          ? t(key, { s: o.retry_after_s ?? 0 })
          : t('err_unknown');
    return new AppError(o.code, msg, o.retry_after_s);
  }
  return new AppError('other', t('err_unknown'));
}

export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export function on<T>(event: string, f: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => f(e.payload));
}

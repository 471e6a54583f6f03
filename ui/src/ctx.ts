// What every screen may use: the label table from the core, the settings, navigation, notices.
import type { LabelInfo, Settings } from './api/types';
import { toAppError } from './api/ipc';

export type ScreenName = 'import' | 'overview' | 'messages' | 'creditors' | 'pack' | 'settings';

export interface Ctx {
  labels: LabelInfo[];
  settings: Settings | null;
  go: (s: ScreenName) => void;
  locked: () => void;
  notice: (text: string, kind?: 'error' | 'info') => void;
}

export function labelName(ctx: Ctx, id: string): string {
  return ctx.labels.find((l) => l.id === id)?.name ?? id;
}

/** Runs `f`, showing any failure as one sentence; returns undefined on failure. */
export async function guarded<T>(ctx: Ctx, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    const err = toAppError(e);
    ctx.notice(err.message, 'error');
    if (err.code === 'locked') ctx.locked();
    return undefined;
  }
}

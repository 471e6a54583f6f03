import { mockIPC, mockWindows, clearMocks } from '@tauri-apps/api/mocks';
import { setLang } from '../src/i18n';
import type { Ctx } from '../src/ctx';

export type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

/** Installs a fake shell; every invoke is recorded in `calls`. */
export function fakeShell(handler: Handler): { calls: { cmd: string; args: Record<string, unknown> }[] } {
  clearMocks();
  setLang('zh');
  mockWindows('main');
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      if (!cmd.startsWith('plugin:')) calls.push({ cmd, args: a });
      return handler(cmd, a);
    },
    { shouldMockEvents: true },
  );
  return { calls };
}

export function testCtx(): Ctx & { notices: { text: string; kind: string }[] } {
  const notices: { text: string; kind: string }[] = [];
  return {
    labels: [
      { id: 'threat', name: '恐吓/威胁', time: false },
      { id: 'insult', name: '侮辱/诽谤', time: false },
      { id: 'night_contact', name: '夜间催收', time: true },
    ],
    settings: null,
    go: () => undefined,
    locked: () => undefined,
    notice: (text, kind = 'error') => void notices.push({ text, kind }),
    notices,
  };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
export async function until(f: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await tick(5);
  }
}

// Boot: ask the shell whether a vault exists, then show first run or unlock; after unlock, the
// main screens with a nav bar. Any unexpected failure becomes one sentence, never a blank window.
import './styles.css';
import { h, clear } from './lib/dom';
import { t, setLang, savedLang, onLangChange } from './i18n';
import { appInfo, setLanguage } from './api/app';
import { lockVault, getSettings } from './api/vault';
import { toAppError } from './api/ipc';
import type { AppInfo } from './api/types';
import { idleTimer } from './lib/idle';
import type { Ctx, ScreenName } from './ctx';
import { firstRunScreen } from './screens/firstRun';
import { unlockScreen } from './screens/unlock';
import { importScreen } from './screens/import';
import { overviewScreen } from './screens/overview';
import { messagesScreen } from './screens/messages';
import { creditorsScreen } from './screens/creditors';
import { packScreen } from './screens/pack';
import { settingsScreen } from './screens/settings';

const root = document.getElementById('app') as HTMLElement;
const noticeEl = h('div', { id: 'notice', role: 'alert', 'aria-live': 'assertive', hidden: true });
let info: AppInfo | null = null;
let current: ScreenName = 'import';
let unlocked = false;
let idle: { stop: () => void } | null = null;

export function notice(text: string, kind: 'error' | 'info' = 'error'): void {
  noticeEl.hidden = false;
  noticeEl.className = kind;
  noticeEl.replaceChildren(h('span', {}, kind === 'error' ? t('errorPrefix') : '', text),
    h('button', { 'aria-label': t('close'), onclick: () => { noticeEl.hidden = true; } }, '×'));
}

const ctx: Ctx = {
  labels: [],
  settings: null,
  go: (s) => { current = s; render(); },
  locked: () => showLocked(),
  notice,
};

function showLocked(note?: string): void {
  unlocked = false;
  idle?.stop();
  idle = null;
  clear(root);
  root.append(noticeEl, h('main', { class: 'center' }, unlockScreen(afterUnlock, note)));
}

async function afterUnlock(): Promise<void> {
  unlocked = true;
  noticeEl.hidden = true;
  ctx.settings = (await getSettings().catch(() => null)) ?? null;
  idle = idleTimer(() => ctx.settings?.auto_lock_min ?? 10, () => {
    void lockVault().finally(() => showLocked(t('lockedIdle')));
  });
  current = 'import';
  render();
}

const NAV: [ScreenName, Parameters<typeof t>[0]][] = [
  ['import', 'navImport'], ['overview', 'navOverview'], ['messages', 'navMessages'],
  ['creditors', 'navCreditors'], ['pack', 'navPack'], ['settings', 'navSettings'],
];

function render(): void {
  if (!info) return;
  if (!info.vault_exists) {
    clear(root);
    root.append(noticeEl, h('main', { class: 'center' }, firstRunScreen(() => { if (info) info.vault_exists = true; void afterUnlock(); })));
    return;
  }
  if (!unlocked) return showLocked();
  const screen = {
    import: () => importScreen(ctx),
    overview: () => overviewScreen(ctx),
    messages: () => messagesScreen(ctx),
    creditors: () => creditorsScreen(ctx),
    pack: () => packScreen(ctx),
    settings: () => settingsScreen(ctx, () => { unlocked = false; if (info) info.vault_exists = false; render(); }),
  }[current]();
  const nav = h('nav', { 'aria-label': t('appName') },
    h('span', { class: 'brand' }, t('appName')),
    NAV.map(([id, key]) => h('button', { class: id === current ? 'active' : '', id: `nav-${id}`, 'aria-current': id === current ? 'page' : undefined, onclick: () => ctx.go(id) }, t(key))),
    h('button', { class: 'lock', id: 'nav-lock', onclick: () => void lockVault().finally(() => showLocked()) }, t('lock')));
  clear(root);
  root.append(nav, noticeEl, h('main', {}, screen));
}

async function boot(): Promise<void> {
  setLang(savedLang());
  onLangChange(() => render());
  try {
    await setLanguage(savedLang()).catch(() => undefined);
    info = await appInfo();
    ctx.labels = info.labels;
    render();
  } catch (e) {
    root.replaceChildren(h('main', { class: 'center' }, h('p', { class: 'error', role: 'alert' }, toAppError(e).message)));
  }
}

window.addEventListener('unhandledrejection', (e) => notice(toAppError(e.reason).message));
window.addEventListener('error', () => notice(t('err_internal')));
void boot();

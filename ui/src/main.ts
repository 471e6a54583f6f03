// Boot: ask the shell whether a vault exists, then show first run or unlock; after unlock, the
// main screens with a nav bar. Any unexpected failure becomes one sentence, never a blank window.
import './styles.css';
import { h, clear } from './lib/dom';
import { t, setLang, savedLang, onLangChange } from './i18n';
import { appInfo, setLanguage, uiReady } from './api/app';
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

/** Marks the first screen interactive, once: after two frames it is painted and the focus
 *  its screen sets in a 0 ms timeout is in its input. `data-ready` is for WebDriver; the IPC
 *  mark lets scripts/coldstart.sh time a release build without WebDriver. */
let readySent = false;
function markReady(screen: 'unlock' | 'first-run'): void {
  if (readySent) return;
  readySent = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.body.dataset.ready = screen;
    void uiReady(screen).catch(() => undefined);
  }));
}

function showLocked(note?: string): void {
  unlocked = false;
  idle?.stop();
  idle = null;
  clear(root);
  root.append(noticeEl, h('main', { class: 'center' }, unlockScreen(afterUnlock, note)));
  markReady('unlock');
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
    markReady('first-run');
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
  // Keyboard: Tab reaches the bar, Left/Right (and Home/End) move along it, Enter opens.
  const navKeys = (e: KeyboardEvent) => {
    const buttons = [...nav.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    buttons[(next + buttons.length) % buttons.length].focus();
  };
  const nav = h('nav', { 'aria-label': t('appName'), onkeydown: navKeys as (e: Event) => void },
    h('span', { class: 'brand' }, t('appName')),
    NAV.map(([id, key]) => h('button', { class: id === current ? 'active' : '', id: `nav-${id}`, 'aria-current': id === current ? 'page' : undefined, onclick: () => ctx.go(id) }, t(key))),
    h('button', { class: 'lock', id: 'nav-lock', onclick: () => void lockVault().finally(() => showLocked()) }, t('lock')));
  // Re-rendering replaces the bar; keep keyboard users where they were instead of at the top.
  const focusedNav = document.activeElement?.closest('nav') ? document.activeElement.id : '';
  clear(root);
  root.append(nav, noticeEl, h('main', {}, screen));
  if (focusedNav) (document.getElementById(focusedNav) as HTMLElement | null)?.focus();
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

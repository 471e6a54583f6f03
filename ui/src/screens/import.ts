import { h, clear } from '../lib/dom';
import { t } from '../i18n';
import { pickFiles } from '../api/app';
import { importFiles, onImportProgress, onFilesDropped } from '../api/import';
import type { ImportSummary } from '../api/types';
import { guarded, type Ctx } from '../ctx';

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function summaryView(s: ImportSummary): HTMLElement {
  const box = h('div', { class: 'summary', id: 'import-summary', role: 'status' }, h('h3', {}, t('importDone')));
  const ul = h('ul', {}, h('li', { class: 'ok' }, t('sumImported', { n: s.imported })));
  if (s.duplicates) ul.append(h('li', {}, t('sumDuplicates', { n: s.duplicates })));
  if (s.skipped) ul.append(h('li', { class: 'warn' }, t('sumSkipped', { n: s.skipped })));
  if (s.warnings) ul.append(h('li', { class: 'warn' }, t('sumWarnings', { n: s.warnings })));
  box.append(ul);
  if (s.failed) ul.append(h('li', { class: 'warn' }, t('sumFailed', { n: s.failed })));
  for (const f of s.files) {
    const d = h('details', { open: f.error !== null || undefined },
      h('summary', {}, f.sha256 ? t('sumFile', { name: f.name, sha: f.sha256.slice(0, 16) + '…' }) : f.name));
    const inner = h('ul', {});
    if (f.error) inner.append(h('li', { class: 'error' }, f.error));
    for (const sk of f.skipped.slice(0, 100)) inner.append(h('li', {}, sk));
    for (const w of f.warnings) inner.append(h('li', {}, w));
    d.append(inner);
    box.append(d);
  }
  return box;
}

let dropRegistered = false;
let dropTarget: { run: (p: string[]) => Promise<void>; zone: HTMLElement } | undefined;

export function importScreen(ctx: Ctx): HTMLElement {
  const progress = h('div', { class: 'progress', id: 'import-progress', 'aria-live': 'polite' });
  const bar = h('progress', { max: 1, value: 0 });
  const result = h('div', {});
  const pick = h('button', { class: 'primary', id: 'choose-files' }, t('chooseFiles'));
  const drop = h('div', { class: 'dropzone', id: 'dropzone' }, t('dropHere'));
  let running = false;

  const run = async (paths: string[]) => {
    if (running) return;
    if (!paths.length) return ctx.notice(t('noFiles'), 'info');
    running = true;
    pick.disabled = true;
    clear(result);
    progress.replaceChildren(bar, h('span', {}, t('busy')));
    const un = await onImportProgress((p) => {
      bar.max = Math.max(1, p.bytes_total);
      bar.value = p.bytes_done;
      progress.replaceChildren(bar, h('span', {},
        `${t('importing', { file: p.file })} (${p.file_index + 1}/${p.files}) — `,
        t('importProgress', { records: p.records, done: fmtBytes(p.bytes_done), total: fmtBytes(p.bytes_total) })));
    }).catch(() => undefined);
    const s = await guarded(ctx, () => importFiles(paths));
    if (un) un();
    clear(progress);
    running = false;
    pick.disabled = false;
    if (s) result.append(summaryView(s));
  };
  pick.addEventListener('click', async () => {
    const paths = await guarded(ctx, () => pickFiles());
    if (paths && paths.length) await run(paths);
  });
  // One window-wide listener; it feeds whichever import screen is showing.
  dropTarget = { run, zone: drop };
  if (!dropRegistered) {
    dropRegistered = true;
    onFilesDropped(
      (p) => dropTarget?.zone.isConnected && void dropTarget.run(p),
      (over) => dropTarget?.zone.classList.toggle('over', over),
    ).catch(() => undefined);
  }
  return h('section', { class: 'card', id: 'screen-import' },
    h('h2', {}, t('importTitle')), h('p', {}, t('importHelp')), pick, drop, progress, result);
}

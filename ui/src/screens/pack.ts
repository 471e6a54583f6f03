import { h, field, clear, append } from '../lib/dom';
import { t, type Key } from '../i18n';
import { listCreditors } from '../api/creditors';
import { buildReport, savePack, verifyPack, packPdf } from '../api/report';
import { pickSavePath } from '../api/app';
import type { PackRequest } from '../api/types';
import { guarded, type Ctx } from '../ctx';

export function packScreen(ctx: Ctx): HTMLElement {
  const creditorBox = h('div', { class: 'checks', id: 'pack-creditors' });
  const since = h('input', { type: 'date', id: 'pack-since' });
  const until = h('input', { type: 'date', id: 'pack-until' });
  const audience = h('select', { id: 'pack-audience' },
    (['police', 'regulator', 'court'] as const).map((a) =>
      h('option', { value: a }, t(({ police: 'audPolice', regulator: 'audRegulator', court: 'audCourt' } as const)[a] as Key))));
  const name = h('input', { type: 'text', id: 'pack-complainant', autocomplete: 'name' });
  const build = h('button', { class: 'primary', id: 'build-pack' }, t('buildPack'));
  const out = h('div', { id: 'pack-result', 'aria-live': 'polite' });

  void guarded(ctx, () => listCreditors()).then((cs) =>
    cs?.forEach((c) => creditorBox.append(h('label', { class: 'check' }, h('input', { type: 'checkbox', value: c.name }), ' ', `${c.name} (${c.messages})`))));

  build.addEventListener('click', async () => {
    const req: PackRequest = {
      creditors: [...creditorBox.querySelectorAll('input:checked')].map((i) => (i as HTMLInputElement).value),
      since: since.value || null, until: until.value || null,
      audience: audience.value as PackRequest['audience'], complainant: name.value.trim(),
    };
    build.disabled = true;
    out.replaceChildren(h('p', {}, t('building')));
    const info = await guarded(ctx, () => buildReport(req));
    build.disabled = false;
    clear(out);
    if (!info) return;
    const saved = h('div', { id: 'saved' });
    const saveBtn = (part: 'pdf' | 'docx' | 'csv' | 'json', key: Key, ext: string) => {
      const b = h('button', { id: `save-${part}` }, t(key));
      b.addEventListener('click', async () => {
        const path = await guarded(ctx, () => pickSavePath(`quzheng-evidence.${ext}`));
        if (!path) return;
        const s = await guarded(ctx, () => savePack(part, path));
        if (!s) return;
        const line = h('p', { class: 'saved-line' }, t('savedTo', { path: s.path }), h('br', {}), h('code', {}, t('sha256', { sha: s.sha256 })));
        if (part === 'pdf') {
          const v = h('button', { id: 'verify-saved' }, t('verifyNow'));
          const res = h('span', { id: 'verify-result', role: 'status' });
          v.addEventListener('click', async () => {
            const r = await guarded(ctx, () => verifyPack(s.path));
            if (r) res.textContent = r.intact ? t('verifyIntact') : t('verifyDamaged', { what: r.detail });
          });
          line.append(h('br', {}), v, ' ', res);
        }
        saved.append(line);
      });
      return b;
    };
    const previews = h('div', { class: 'previews', id: 'pack-preview' });
    // The preview is a convenience: if rendering fails, the pack itself is still fine.
    void (async () => {
      try {
        const [{ renderFirstPages }, bytes] = await Promise.all([import('../lib/preview'), packPdf()]);
        const imgs = await renderFirstPages(bytes, 3, 240);
        previews.replaceChildren(...imgs.map((src, i) => h('img', { src, alt: `${t('preview')} ${i + 1}` })));
      } catch {
        previews.replaceChildren();
      }
    })();
    append(out, [
      h('p', { class: 'big' }, t('packBuilt', { n: info.messages, pages: info.pages, id: info.pack_id })),
      h('p', {}, h('code', { id: 'pack-sha' }, t('sha256', { sha: info.sha256 }))),
      h('p', {}, t('howToVerify')),
      h('div', { class: 'buttons' }, saveBtn('pdf', 'savePdf', 'pdf'), info.has_docx ? saveBtn('docx', 'saveDocx', 'docx') : null, saveBtn('csv', 'saveCsv', 'csv'), saveBtn('json', 'saveJson', 'json')),
      saved,
      h('h3', {}, t('preview')), previews]);
  });

  return h('section', { class: 'card', id: 'screen-pack' },
    h('h2', {}, t('packTitle')),
    h('fieldset', {}, h('legend', {}, t('packCreditors')), creditorBox),
    h('div', { class: 'row2' }, field(t('packSince'), since), field(t('packUntil'), until)),
    field(t('audience'), audience), field(t('complainant'), name),
    build, out);
}

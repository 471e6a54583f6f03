import { h, clear, field, append } from '../lib/dom';
import { t } from '../i18n';
import { filterMessages, messageRows, messageDetail, correctLabels } from '../api/messages';
import { listCreditors } from '../api/creditors';
import type { Detail, Filter, Row } from '../api/types';
import { VirtualList } from '../lib/virtualList';
import { findAll, piecesFromSpans, renderPieces, snippet, spansFromPairs } from '../lib/highlight';
import { guarded, labelName, type Ctx } from '../ctx';

const ROW_H = 56;

export function labelChips(ctx: Ctx, ids: string[]): HTMLElement {
  return h('span', { class: 'chips' }, ids.map((id) => h('span', { class: `chip l-${id}` }, labelName(ctx, id))));
}

export function messagesScreen(ctx: Ctx): HTMLElement {
  const filter: Filter = { labels: [], creditor: null, since: null, until: null, text: '', collection_only: true };
  const text = h('input', { type: 'search', id: 'filter-text', placeholder: t('filterText') });
  const label = h('select', { id: 'filter-label' }, h('option', { value: '' }, t('any')),
    ctx.labels.map((l) => h('option', { value: l.id }, l.name)));
  const creditor = h('select', { id: 'filter-creditor' }, h('option', { value: '' }, t('any')));
  const since = h('input', { type: 'date', id: 'filter-since' });
  const until = h('input', { type: 'date', id: 'filter-until' });
  const coll = h('input', { type: 'checkbox', id: 'filter-collection', checked: true });
  const status = h('p', { class: 'status', id: 'filter-status', 'aria-live': 'polite' });
  const detailBox = h('aside', { class: 'detail', id: 'detail', hidden: true });

  const list = new VirtualList<Row>({
    rowHeight: ROW_H,
    fetch: (ids) => messageRows(ids),
    placeholder: () => h('div', { class: 'row placeholder' }, '…'),
    render: (r) => {
      // The classifier's matched words and the search text, both highlighted; the one-line
      // row starts near the first of them (the search hit first) so it is not cut off.
      const hits = findAll(r.body, filter.text);
      // Room for about one CJK character per 17 px of row width (16 px font), less a margin.
      const fit = Math.max(12, Math.floor(list.el.clientWidth / 17) - 4);
      const snip = snippet(r.body, [...spansFromPairs(r.marks), ...hits], hits[0], fit);
      const body = h('span', { class: 'body' });
      body.append(renderPieces(piecesFromSpans(snip.text, snip.spans)));
      return h('div', { class: `row${r.collection ? '' : ' muted'}`, role: 'listitem', tabindex: 0, 'data-id': r.id,
        onclick: () => void openDetail(r.id),
        onkeydown: (e: Event) => rowKeys(e as KeyboardEvent, r.id) },
        h('span', { class: 'meta' }, h('time', {}, r.local), ' ', h('b', {}, r.creditor ?? r.address), ' ', labelChips(ctx, r.labels)),
        body);
    },
  });

  // Keyboard: Enter opens a row; Up/Down move between rows (the list draws more as it scrolls).
  const rowKeys = (e: KeyboardEvent, id: number) => {
    if (e.key === 'Enter') return void openDetail(id);
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const rows = [...list.el.querySelectorAll<HTMLElement>('.row[data-id]')];
    const i = rows.findIndex((x) => x.dataset.id === String(id));
    const next = rows[i + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      next.focus();
      next.scrollIntoView?.({ block: 'nearest' }); // (absent in jsdom)
    }
  };

  let seq = 0;
  const refresh = async () => {
    const mine = ++seq;
    const res = await guarded(ctx, () => filterMessages(filter));
    if (!res || mine !== seq) return; // a newer filter superseded this one
    list.setIds(res.ids);
    status.textContent = res.ids.length
      ? t('shown', { n: res.ids.length, total: res.total, ms: (res.elapsed_us / 1000).toFixed(1) })
      : t('noMatch');
  };
  let debounce: ReturnType<typeof setTimeout> | undefined;
  text.addEventListener('input', () => {
    filter.text = text.value;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(refresh, 120);
  });
  const change = () => {
    filter.labels = label.value ? [label.value] : [];
    filter.creditor = creditor.value || null;
    filter.since = since.value || null;
    filter.until = until.value || null;
    filter.collection_only = coll.checked;
    void refresh();
  };
  [label, creditor, since, until, coll].forEach((el) => el.addEventListener('change', change));

  const openDetail = async (id: number) => {
    const d = await guarded(ctx, () => messageDetail(id));
    if (d) showDetail(d);
  };
  const showDetail = (d: Detail) => {
    clear(detailBox);
    detailBox.hidden = false;
    const body = h('p', { class: 'fullbody' });
    body.append(renderPieces(piecesFromSpans(d.body, [...d.findings, ...findAll(d.body, filter.text)])));
    const boxes = ctx.labels.map((l) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: l.id, checked: d.labels.includes(l.id), 'data-label': l.id }), ' ', l.name));
    const note = h('textarea', { id: 'correct-note', rows: 2 });
    const save = h('button', { class: 'primary', id: 'save-correction' }, t('saveCorrection'));
    save.addEventListener('click', async () => {
      const chosen = boxes.map((b) => b.querySelector('input') as HTMLInputElement).filter((i) => i.checked).map((i) => i.value);
      const add = chosen.filter((x) => !d.labels.includes(x));
      const remove = d.labels.filter((x) => !chosen.includes(x));
      if (!add.length && !remove.length && !note.value.trim()) return;
      const updated = await guarded(ctx, () => correctLabels(d.id, add, remove, note.value.trim()));
      if (!updated) return;
      ctx.notice(t('correctionSaved'), 'info');
      list.invalidate(d.id);
      showDetail(updated);
    });
    append(detailBox, [
      h('div', { class: 'detail-head' }, h('h3', {}, t('detail')),
        h('button', { onclick: () => { detailBox.hidden = true; }, 'aria-label': t('close') }, '×')),
      body,
      h('dl', {},
        h('dt', {}, t('from')), h('dd', {}, d.address),
        h('dt', {}, t('creditor')), h('dd', {}, d.creditor ?? '—'),
        h('dt', {}, t('labels')), h('dd', { id: 'detail-labels' }, d.collection ? labelChips(ctx, d.labels) : t('notCollection')),
        h('dt', {}, t('timeBeijing', { zone: d.zone })), h('dd', {}, d.local),
        h('dt', {}, t('timeUtc')), h('dd', {}, d.utc),
        h('dt', {}, t('sourceFile')), h('dd', {}, d.source_name, h('br', {}), h('code', {}, d.source_sha256)),
        h('dt', {}, t('hash')), h('dd', {}, h('code', {}, d.fingerprint))),
      d.findings.length ? h('div', {}, h('h4', {}, t('findings')),
        h('ul', {}, d.findings.map((f) => h('li', {}, `${labelName(ctx, f.label)} · ${f.rule} · 「${f.text}」`,
          // `<label>.model` findings come from the label model, not a rule pack: say so.
          f.rule.endsWith('.model') ? h('small', { class: 'model-note' }, ` — ${t('modelFinding')}`) : null)))) : null,
      d.corrections.length ? h('div', {}, h('h4', {}, t('corrections')),
        h('ul', {}, d.corrections.map((c) => h('li', {}, `${c.at}: +${c.add.map((x) => labelName(ctx, x)).join(',')} −${c.remove.map((x) => labelName(ctx, x)).join(',')} ${c.note}`)))) : null,
      h('fieldset', { class: 'correct' }, h('legend', {}, t('correct')), h('div', { class: 'checks' }, boxes), field(t('correctNote'), note), save),
    ]);
    (detailBox.querySelector('button') as HTMLButtonElement).focus();
  };

  void guarded(ctx, () => listCreditors()).then((cs) => {
    cs?.forEach((c) => creditor.append(h('option', { value: c.name }, `${c.name} (${c.messages})`)));
  });
  void refresh();
  return h('section', { class: 'card wide', id: 'screen-messages' },
    h('h2', {}, t('messagesTitle')),
    h('div', { class: 'filters' }, field(t('filterText'), text), field(t('filterLabel'), label), field(t('filterCreditor'), creditor),
      field(t('filterSince'), since), field(t('filterUntil'), until), h('label', { class: 'check' }, coll, ' ', t('onlyCollection'))),
    status,
    h('div', { class: 'split' }, list.el, detailBox));
}

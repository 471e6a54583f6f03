import { h } from '../lib/dom';
import { t } from '../i18n';
import { overview } from '../api/messages';
import { dayChart, hourChart } from '../lib/charts';
import { guarded, labelName, type Ctx } from '../ctx';
import type { Count } from '../api/types';

function countTable(rows: Count[], name: (s: string) => string, id: string): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return h('table', { class: 'counts', id },
    h('tbody', {}, rows.map((r) =>
      h('tr', {}, h('th', { scope: 'row' }, name(r.name)), h('td', { class: 'num' }, r.n),
        h('td', { class: 'barcell' }, h('span', { class: 'hbar', style: `width:${(100 * r.n) / max}%` }))))));
}

export function overviewScreen(ctx: Ctx): HTMLElement {
  const sec = h('section', { class: 'card', id: 'screen-overview' }, h('h2', {}, t('overviewTitle')), h('p', {}, t('busy')));
  void guarded(ctx, () => overview()).then((o) => {
    if (!o) return;
    const body: HTMLElement[] = [];
    if (o.total === 0) body.push(h('p', {}, t('emptyVault')));
    else {
      body.push(
        h('p', { class: 'big', id: 'totals' }, t('totalMessages', { n: o.total, c: o.collection })),
        h('ul', { class: 'facts' },
          h('li', { id: 'night-count' }, t('nightCount', { n: o.night, window: o.night_window })),
          o.worst_day ? h('li', { id: 'worst-day' }, t('worstDay', { day: o.worst_day.day, n: o.worst_day.n })) : null),
        h('div', { class: 'grid2' },
          h('div', {}, h('h3', {}, t('perLabel')), countTable(o.by_label, (id) => labelName(ctx, id), 'by-label')),
          h('div', {}, h('h3', {}, t('perCreditor')), countTable(o.by_creditor.slice(0, 20), (n) => n, 'by-creditor'))),
        h('div', { class: 'grid2' },
          h('figure', {}, h('figcaption', {}, t('perDay')), dayChart(o.per_day, t('perDay'))),
          h('figure', {}, h('figcaption', {}, t('perHour'), ' · ', t('nightShade')), hourChart(o.per_hour, o.night_hours, t('perHour')))),
      );
    }
    sec.replaceChildren(h('h2', {}, t('overviewTitle')), ...body);
  });
  return sec;
}

import { h, field } from '../lib/dom';
import { t } from '../i18n';
import { listCreditors, renameCreditor } from '../api/creditors';
import { guarded, type Ctx } from '../ctx';

export function creditorsScreen(ctx: Ctx): HTMLElement {
  const tbody = h('tbody', {});
  const sec = h('section', { class: 'card', id: 'screen-creditors' },
    h('h2', {}, t('creditorsTitle')), h('p', {}, t('creditorsHelp')), h('table', { class: 'creditors' }, tbody));
  const load = async () => {
    const cs = await guarded(ctx, () => listCreditors());
    if (!cs) return;
    const names = h('datalist', { id: 'creditor-names' }, cs.map((c) => h('option', { value: c.name })));
    tbody.replaceChildren(...cs.map((c) => {
      const input = h('input', { type: 'text', class: 'creditor-new', list: 'creditor-names', value: c.name, 'aria-label': `${t('newName')}: ${c.name}` });
      const apply = h('button', { class: 'creditor-apply' }, t('apply'));
      apply.addEventListener('click', async () => {
        const to = input.value.trim();
        if (!to || to === c.name) return;
        if ((await guarded(ctx, () => renameCreditor(c.name, to).then(() => true))) === true) await load();
      });
      return h('tr', { 'data-creditor': c.name },
        h('th', { scope: 'row' }, c.name, c.aliases.length ? h('small', {}, ` (${c.aliases.join('、')})`) : null),
        h('td', { class: 'num' }, t('messagesCount', { n: c.messages })),
        h('td', {}, field(t('rename') + ' / ' + t('mergeInto'), input), apply));
    }), names);
  };
  void load();
  return sec;
}

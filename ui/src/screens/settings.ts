import { h, field } from '../lib/dom';
import { t, setLang, lang, type Lang } from '../i18n';
import { getSettings, saveSettings, changePassphrase, deleteEverything } from '../api/vault';
import { setLanguage } from '../api/app';
import { strength } from '../lib/strength';
import type { Settings } from '../api/types';
import { guarded, type Ctx } from '../ctx';

const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Urumqi', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'America/New_York', 'UTC'];

export function settingsScreen(ctx: Ctx, onDeleted: () => void): HTMLElement {
  const sec = h('section', { class: 'card', id: 'screen-settings' }, h('h2', {}, t('settingsTitle')));
  void guarded(ctx, () => getSettings()).then((s) => {
    if (!s) return;
    const [ns, ne] = s.night.split('-');
    const nStart = h('input', { type: 'time', value: ns, id: 'set-night-start' });
    const nEnd = h('input', { type: 'time', value: ne, id: 'set-night-end' });
    const maxDay = h('input', { type: 'number', min: 1, max: 100, value: s.max_per_day, id: 'set-max' });
    const zone = h('select', { id: 'set-zone' }, [...new Set([s.zone, ...ZONES])].map((z) => h('option', { value: z }, z)));
    zone.value = s.zone;
    const language = h('select', { id: 'set-lang' }, h('option', { value: 'zh' }, '中文'), h('option', { value: 'en' }, 'English'));
    language.value = lang();
    const autoLock = h('input', { type: 'number', min: 0, max: 240, value: s.auto_lock_min, id: 'set-autolock' });
    const save = h('button', { class: 'primary', id: 'save-settings' }, t('saveSettings'));
    save.addEventListener('click', async () => {
      const next: Settings = { zone: zone.value, night: `${nStart.value}-${nEnd.value}`,
        max_per_day: Number(maxDay.value), lang: language.value as Lang, auto_lock_min: Number(autoLock.value) };
      const ok = await guarded(ctx, () => saveSettings(next).then(() => true));
      if (!ok) return;
      ctx.settings = next;
      if (next.lang !== lang()) {
        await guarded(ctx, () => setLanguage(next.lang));
        setLang(next.lang); // re-renders the whole app in the new language
      }
      ctx.notice(t('settingsSaved'), 'info');
    });

    const old = h('input', { type: 'password', autocomplete: 'current-password', id: 'pw-old' });
    const p1 = h('input', { type: 'password', autocomplete: 'new-password', id: 'pw-new' });
    const p2 = h('input', { type: 'password', autocomplete: 'new-password', id: 'pw-new2' });
    const pwBtn = h('button', { id: 'change-pass' }, t('changePassphrase'));
    pwBtn.addEventListener('click', async () => {
      if ([...p1.value].length < 8) return ctx.notice(t('passphraseTooShort'), 'error');
      if (p1.value !== p2.value) return ctx.notice(t('passphraseMismatch'), 'error');
      if (await guarded(ctx, () => changePassphrase(old.value, p1.value).then(() => true))) {
        old.value = p1.value = p2.value = '';
        ctx.notice(t('passphraseChanged'), 'info');
      }
    });
    const pwHint = h('span', { class: 'hint' });
    p1.addEventListener('input', () => { pwHint.textContent = t(`strength${strength(p1.value)}` as 'strength0'); });

    const confirm = h('input', { type: 'text', id: 'delete-confirm', autocomplete: 'off' });
    const del = h('button', { class: 'danger', id: 'delete-all' }, t('deleteAll'));
    del.addEventListener('click', async () => {
      if (confirm.value.trim() !== t('deleteWord')) return ctx.notice(t('err_confirm'), 'error');
      if (await guarded(ctx, () => deleteEverything('delete-everything').then(() => true))) {
        ctx.notice(t('deleted'), 'info');
        onDeleted();
      }
    });
    sec.append(
      h('div', { class: 'row2' }, field(t('nightWindow') + ' ⟶', nStart), field('⟵', nEnd)),
      field(t('maxPerDay'), maxDay), field(t('timeZone'), zone), field(t('language'), language), field(t('autoLock'), autoLock), save,
      h('h3', {}, t('changePassphrase')), field(t('oldPassphrase'), old), field(t('newPassphrase'), p1), pwHint, field(t('passphraseConfirm'), p2), pwBtn,
      h('h3', { class: 'danger-title' }, t('dangerZone')), h('p', {}, t('deleteAllHelp')), field(t('deleteConfirmType'), confirm), del);
  });
  return sec;
}

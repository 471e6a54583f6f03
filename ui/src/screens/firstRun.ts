import { h, field } from '../lib/dom';
import { t, type Key } from '../i18n';
import { strength } from '../lib/strength';
import { createVault } from '../api/vault';
import { toAppError } from '../api/ipc';

/** First run: two sentences about the app, then create the vault. Calls `done` once created. */
export function firstRunScreen(done: () => void): HTMLElement {
  const p1 = h('input', { type: 'password', autocomplete: 'new-password', id: 'new-pass' });
  const p2 = h('input', { type: 'password', autocomplete: 'new-password', id: 'new-pass2' });
  const meter = h('meter', { min: 0, max: 4, value: 0, 'aria-hidden': 'true' });
  const hint = h('p', { class: 'hint', id: 'strength', 'aria-live': 'polite' }, t('strength0'));
  const err = h('p', { class: 'error', role: 'alert', id: 'create-error' });
  const btn = h('button', { type: 'submit', id: 'create-vault', class: 'primary' }, t('createVault'));
  p1.addEventListener('input', () => {
    const s = strength(p1.value);
    meter.value = s;
    hint.textContent = `${t(`strength${s}` as Key)} ${s < 3 ? t('strengthHint') : ''}`;
  });
  const form = h('form', { class: 'card narrow', id: 'first-run' },
    h('h1', {}, t('appName'), h('small', {}, ' ', t('tagline'))),
    h('p', {}, t('firstRunIntro1')),
    h('p', {}, t('firstRunIntro2')),
    field(t('passphrase'), p1), meter, hint,
    field(t('passphraseConfirm'), p2),
    h('p', { class: 'warning' }, t('passphraseNoRecover')),
    err, btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if ([...p1.value].length < 8) return void (err.textContent = t('passphraseTooShort'));
    if (p1.value !== p2.value) return void (err.textContent = t('passphraseMismatch'));
    btn.disabled = true;
    btn.textContent = t('busy');
    try {
      await createVault(p1.value);
      p1.value = p2.value = '';
      done();
    } catch (x) {
      err.textContent = toAppError(x).message;
    } finally {
      btn.disabled = false;
      btn.textContent = t('createVault');
    }
  });
  setTimeout(() => p1.focus(), 0);
  return form;
}

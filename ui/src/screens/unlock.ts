import { h, field } from '../lib/dom';
import { t } from '../i18n';
import { unlockVault } from '../api/vault';
import { toAppError } from '../api/ipc';

/** Unlock. The shell enforces the growing delay after failures; the UI shows the countdown. */
export function unlockScreen(done: () => void, note?: string): HTMLElement {
  const pass = h('input', { type: 'password', autocomplete: 'current-password', id: 'unlock-pass' });
  const err = h('p', { class: 'error', role: 'alert', id: 'unlock-error' }, note ?? '');
  const btn = h('button', { type: 'submit', class: 'primary', id: 'unlock' }, t('unlock'));
  let timer: ReturnType<typeof setInterval> | undefined;
  const countdown = (s: number) => {
    btn.disabled = true;
    let left = Math.ceil(s);
    const tick = () => {
      if (left <= 0) {
        if (timer) clearInterval(timer);
        btn.disabled = false;
        btn.textContent = t('unlock');
        return;
      }
      btn.textContent = t('waitBeforeRetry', { s: left });
      left--;
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  const form = h('form', { class: 'card narrow', id: 'unlock-form' },
    h('h1', {}, t('appName')), h('h2', {}, t('unlockTitle')), field(t('passphrase'), pass), err, btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (btn.disabled) return;
    btn.disabled = true;
    btn.textContent = t('unlocking');
    try {
      await unlockVault(pass.value);
      pass.value = '';
      done();
    } catch (x) {
      const ae = toAppError(x);
      err.textContent = ae.message;
      pass.select();
      btn.disabled = false;
      btn.textContent = t('unlock');
      if (ae.retryAfterS && ae.retryAfterS > 0) countdown(ae.retryAfterS);
    }
  });
  setTimeout(() => pass.focus(), 0);
  return form;
}

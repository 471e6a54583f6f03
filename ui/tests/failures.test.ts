// Drag-and-drop from Tauri's drop event to the import command, and the one-sentence message
// of every failure the issue names (wrong passphrase, unreadable file, damaged vault, full
// disk). Separate file: the import screen registers its window-wide drop listener once per
// module, so it needs a fresh module (vitest isolates files).
import { afterEach, describe, expect, it } from 'vitest';
import { emit } from '@tauri-apps/api/event';
import { clearMocks } from '@tauri-apps/api/mocks';
import { fakeShell, testCtx, until, tick } from './setup';
import { importScreen } from '../src/screens/import';
import { unlockScreen } from '../src/screens/unlock';

afterEach(() => {
  clearMocks();
  document.body.innerHTML = '';
});

const summary = (files: string[]) => ({
  imported: 0, duplicates: 0, skipped: 0, warnings: 0, failed: 1,
  files: files.map((f) => ({ name: f.split('/').pop(), sha256: '', format: '', imported: 0, duplicates: 0, skipped: [], warnings: [],
    error: '无法识别文件 b.jpg 的格式。支持：SMS Backup & Restore 备份、安卓 mmssms.db、苹果 sms.db 或备份文件夹、CSV、JSON Lines。' })),
});

describe('drag and drop (Tauri drop events; the native XDND drop itself is not driven, see docs/app.md)', () => {
  it('highlights the zone while dragging and imports the dropped paths', async () => {
    const { calls } = fakeShell((cmd, a) => (cmd === 'import_files' ? summary(a.paths as string[]) : null));
    const sec = importScreen(testCtx());
    document.body.append(sec);
    await tick(20); // the listeners register asynchronously
    const zone = sec.querySelector('#dropzone') as HTMLElement;
    await emit('tauri://drag-enter', { paths: ['/home/u/b.jpg'], position: { x: 5, y: 5 } });
    await until(() => zone.classList.contains('over'));
    await emit('tauri://drag-leave', {});
    await until(() => !zone.classList.contains('over'));
    await emit('tauri://drag-over', { position: { x: 6, y: 6 } });
    await until(() => zone.classList.contains('over'));
    await emit('tauri://drag-drop', { paths: ['/home/u/b.jpg'], position: { x: 6, y: 6 } });
    await until(() => calls.some((c) => c.cmd === 'import_files'));
    expect(zone.classList.contains('over')).toBe(false);
    expect(calls.filter((c) => c.cmd === 'import_files').map((c) => c.args)).toEqual([{ paths: ['/home/u/b.jpg'] }]);
    // The unreadable file is one sentence in the summary.
    await until(() => sec.querySelector('#import-summary') !== null);
    expect(sec.querySelector('#import-summary li.error')?.textContent).toContain('无法识别文件 b.jpg 的格式。');

    // A drop while another screen shows does nothing.
    sec.remove();
    await emit('tauri://drag-drop', { paths: ['/home/u/c.xml'], position: { x: 1, y: 1 } });
    await tick(20);
    expect(calls.filter((c) => c.cmd === 'import_files')).toHaveLength(1);
  });
});

describe('every failure is one clear sentence', () => {
  it('damaged vault on unlock', async () => {
    fakeShell(() => {
      throw { code: 'damaged', message: '证据库文件已损坏，无法读取。请用备份副本恢复。' };
    });
    const form = unlockScreen(() => undefined);
    document.body.append(form);
    (form.querySelector('#unlock-pass') as HTMLInputElement).value = 'x';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => form.querySelector('#unlock-error')?.textContent === '证据库文件已损坏，无法读取。请用备份副本恢复。');
    expect((form.querySelector('#unlock') as HTMLButtonElement).disabled).toBe(false);
  });

  it('a full disk while saving the pack', async () => {
    const sentence = '无法写入 /media/usb/quzheng-evidence.pdf：磁盘空间已满；没有留下任何文件。';
    fakeShell((cmd, a) => {
      if (cmd === 'list_creditors') return [{ name: '速借宝', messages: 2, addresses: [], aliases: [] }];
      if (cmd === 'build_report') return { sha256: 'ab'.repeat(32), pack_id: 'QZ-1', pages: 3, messages: 2, has_docx: false };
      if (cmd === 'pack_pdf') throw { code: 'no_pack', message: '' };
      if (cmd === 'pick_save_path') return `/media/usb/${a.defaultName}`;
      if (cmd === 'save_pack') throw { code: 'bad_input', message: sentence };
      return null;
    });
    const { packScreen } = await import('../src/screens/pack');
    const ctx = testCtx();
    const sec = packScreen(ctx);
    document.body.append(sec);
    await until(() => sec.querySelector('#build-pack') !== null);
    (sec.querySelector('#build-pack') as HTMLButtonElement).click();
    await until(() => sec.querySelector('#save-pdf') !== null);
    (sec.querySelector('#save-pdf') as HTMLButtonElement).click();
    await until(() => ctx.notices.some((n) => n.kind === 'error'));
    expect(ctx.notices.filter((n) => n.kind === 'error').map((n) => n.text)).toEqual([sentence]);
    expect(sec.querySelector('.saved-line')).toBeNull();
  });

  it('an unknown rejection still becomes a sentence, never a raw error', async () => {
    fakeShell(() => {
      throw new Error('panicked at src/x.rs:1');
    });
    const form = unlockScreen(() => undefined);
    document.body.append(form);
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => (form.querySelector('#unlock-error')?.textContent ?? '').length > 0);
    expect(form.querySelector('#unlock-error')?.textContent).not.toContain('panicked');
  });
});

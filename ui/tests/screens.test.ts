import { afterEach, describe, expect, it } from 'vitest';
import { emit } from '@tauri-apps/api/event';
import { clearMocks } from '@tauri-apps/api/mocks';
import { fakeShell, testCtx, until, tick } from './setup';
import { firstRunScreen } from '../src/screens/firstRun';
import { unlockScreen } from '../src/screens/unlock';
import { importScreen } from '../src/screens/import';
import { messagesScreen } from '../src/screens/messages';
import { settingsScreen } from '../src/screens/settings';
import { call } from '../src/api/ipc';
import type { Detail, Row } from '../src/api/types';

afterEach(() => {
  clearMocks();
  document.body.innerHTML = '';
});

function type(el: Element | null, value: string): void {
  const i = el as HTMLInputElement;
  i.value = value;
  i.dispatchEvent(new Event('input'));
}
function submit(form: HTMLElement): void {
  form.dispatchEvent(new Event('submit', { cancelable: true }));
}

describe('errors across IPC', () => {
  it('keeps the core sentence and fills shell codes from the UI table', async () => {
    fakeShell((cmd) => {
      if (cmd === 'a') throw { code: 'bad_input', message: '文件 x.xml 第 3 行无法读取。' };
      throw { code: 'locked', message: '' };
    });
    await expect(call('a')).rejects.toMatchObject({ code: 'bad_input', message: '文件 x.xml 第 3 行无法读取。' });
    await expect(call('b')).rejects.toMatchObject({ code: 'locked', message: '保险箱已锁定，请先解锁。' });
  });
});

describe('first run', () => {
  it('refuses mismatched passphrases and creates the vault otherwise', async () => {
    const { calls } = fakeShell(() => null);
    let done = 0;
    const form = firstRunScreen(() => done++);
    document.body.append(form);
    type(form.querySelector('#new-pass'), 'long enough passphrase');
    type(form.querySelector('#new-pass2'), 'something else');
    submit(form);
    expect(form.querySelector('#create-error')?.textContent).toBe('两次输入的密码不一致。');
    expect(calls).toHaveLength(0);
    type(form.querySelector('#new-pass2'), 'long enough passphrase');
    submit(form);
    await until(() => done === 1);
    expect(calls).toEqual([{ cmd: 'create_vault', args: { passphrase: 'long enough passphrase' } }]);
    expect(form.querySelector('#strength')?.textContent).toContain('密码强度');
  });
});

describe('unlock', () => {
  it('shows the sentence and a countdown after repeated failures', async () => {
    fakeShell(() => {
      throw { code: 'wrong_passphrase', message: '密码不正确。', retry_after_s: 4 };
    });
    const form = unlockScreen(() => undefined);
    document.body.append(form);
    type(form.querySelector('#unlock-pass'), 'nope');
    submit(form);
    await until(() => form.querySelector('#unlock-error')?.textContent === '密码不正确。');
    const btn = form.querySelector('#unlock') as HTMLButtonElement;
    expect(btn.disabled).toBe(true);
    expect(btn.textContent).toBe('请等待 4 秒后再试。');
  });
});

describe('import', () => {
  it('shows progress events and a plain summary', async () => {
    let finish: (v: unknown) => void = () => undefined;
    fakeShell((cmd) => {
      if (cmd === 'pick_files') return ['/tmp/sms.xml'];
      if (cmd === 'import_files') return new Promise((r) => (finish = r));
      return null;
    });
    const sec = importScreen(testCtx());
    document.body.append(sec);
    (sec.querySelector('#choose-files') as HTMLButtonElement).click();
    await tick(20);
    await emit('import-progress', { file: 'sms.xml', file_index: 0, files: 1, bytes_done: 512, bytes_total: 1024, records: 37 });
    await until(() => (sec.querySelector('#import-progress')?.textContent ?? '').includes('已读取 37 条'));
    finish({ imported: 30, duplicates: 5, skipped: 2, warnings: 1, failed: 1,
      files: [{ name: 'sms.xml', sha256: 'ab'.repeat(32), format: 'sbr', imported: 30, duplicates: 5,
        skipped: ['第 9 行：缺少内容', '第 12 行：时间无法识别'], warnings: ['声明 40 条，实际 37 条'], error: null },
      { name: 'photo.jpg', sha256: '', format: '', imported: 0, duplicates: 0, skipped: [], warnings: [], error: '不是支持的备份格式。' }] });
    await until(() => sec.querySelector('#import-summary') !== null);
    const text = sec.querySelector('#import-summary')?.textContent ?? '';
    expect(text).toContain('新增 30 条');
    expect(text).toContain('5 条以前已导入过');
    expect(text).toContain('2 条无法读取');
    expect(text).toContain('第 9 行：缺少内容');
    expect(text).toContain('1 个文件无法导入');
    expect(text).toContain('不是支持的备份格式。');
  });
});

describe('messages', () => {
  const N = 100_000;
  const ids = Array.from({ length: N }, (_, i) => i + 1);
  const row = (id: number): Row => ({ id, local: '2026-03-10 23:05', address: '1069', creditor: '速借宝', labels: ['threat'], collection: true, body: `第${id}条 上门找你`, marks: [] });
  it('renders only the visible rows of 100,000 and highlights the search text', async () => {
    const { calls } = fakeShell((cmd, a) => {
      if (cmd === 'filter_messages') return { ids, total: N, elapsed_us: 1500 };
      if (cmd === 'message_rows') return (a.ids as number[]).map(row);
      if (cmd === 'list_creditors') return [{ name: '速借宝', messages: N, addresses: [], aliases: [] }];
      return null;
    });
    const sec = messagesScreen(testCtx());
    document.body.append(sec);
    await until(() => (sec.querySelector('#filter-status')?.textContent ?? '').includes('100000'));
    await until(() => sec.querySelector('.row:not(.placeholder)') !== null);
    expect(sec.querySelectorAll('.row').length).toBeLessThan(100);
    type(sec.querySelector('#filter-text'), '上门');
    await until(() => calls.some((c) => c.cmd === 'filter_messages' && (c.args.filter as { text: string }).text === '上门'));
    await until(() => sec.querySelector('.row mark') !== null);
    expect(sec.querySelector('.row mark')?.textContent).toBe('上门');
  });
  it("highlights the classifier's matched words in the list rows without a search", async () => {
    const body = '【某某金融】尊敬的客户您好，您的借款已严重逾期，再不还钱就上门找你家人';
    const at = [...body].indexOf('上');
    fakeShell((cmd, a) => {
      if (cmd === 'filter_messages') return { ids: [1, 2], total: 2, elapsed_us: 10 };
      if (cmd === 'message_rows') return (a.ids as number[]).map((id) => ({ ...row(id), body, marks: id === 1 ? [[at, at + 2]] : [] }));
      if (cmd === 'list_creditors') return [];
      return null;
    });
    const sec = messagesScreen(testCtx());
    document.body.append(sec);
    await until(() => sec.querySelectorAll('.row[data-id]').length === 2);
    const first = sec.querySelector('.row[data-id="1"] .body');
    expect([...first!.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['上门']);
    expect(first!.textContent!.startsWith('…')).toBe(true); // the snippet starts near the match
    expect(sec.querySelector('.row[data-id="2"] mark')).toBeNull();
  });
  // A one-message list whose row opens `detail`; resolves once the detail pane is built.
  const openDetail = async (detail: Detail, more: (cmd: string) => unknown = () => null) => {
    const { calls } = fakeShell((cmd, a) => {
      if (cmd === 'filter_messages') return { ids: [detail.id], total: 1, elapsed_us: 10 };
      if (cmd === 'message_rows') return (a.ids as number[]).map(row);
      if (cmd === 'message_detail') return detail;
      if (cmd === 'list_creditors') return [];
      return more(cmd);
    });
    const sec = messagesScreen(testCtx());
    document.body.append(sec);
    await until(() => sec.querySelector(`.row[data-id="${detail.id}"]`) !== null);
    (sec.querySelector(`.row[data-id="${detail.id}"]`) as HTMLElement).click();
    await until(() => sec.querySelector('#save-correction') !== null);
    return { sec, calls };
  };
  const detailWith = (id: number, findings: Detail['findings']): Detail => ({ ...row(id), utc: '2026-03-10T15:05:00Z',
    zone: 'Asia/Shanghai', kind: 'sms', direction: 'in', source_name: 'sms.xml', source_sha256: 'cd'.repeat(32),
    fingerprint: 'ef'.repeat(32), findings, corrections: [], classifier_labels: [...new Set(findings.map((f) => f.label))] });
  it('sends a correction with added and removed labels and a note', async () => {
    const detail = detailWith(7, [{ label: 'threat', rule: 'threat.visit', start: 4, end: 6, text: '上门' }]);
    const { sec, calls } = await openDetail(detail, (cmd) => (cmd === 'correct_labels' ? { ...detail, labels: ['insult'] } : null));
    expect(sec.querySelector('#detail')?.textContent).toContain('2026-03-10T15:05:00Z');
    expect(sec.querySelector('.fullbody mark')?.textContent).toBe('上门');
    (sec.querySelector('input[data-label="threat"]') as HTMLInputElement).checked = false;
    (sec.querySelector('input[data-label="insult"]') as HTMLInputElement).checked = true;
    type(sec.querySelector('#correct-note'), '是辱骂不是威胁');
    (sec.querySelector('#save-correction') as HTMLButtonElement).click();
    await until(() => calls.some((c) => c.cmd === 'correct_labels'));
    expect(calls.find((c) => c.cmd === 'correct_labels')?.args).toEqual({ id: 7, add: ['insult'], remove: ['threat'], note: '是辱骂不是威胁' });
  });
  it('marks a label model finding as a statistical suggestion to review, and a rule finding not', async () => {
    const { sec } = await openDetail(detailWith(8, [{ label: 'threat', rule: 'threat.visit', start: 4, end: 6, text: '上门' },
      { label: 'insult', rule: 'insult.model', start: 0, end: 2, text: '第8' }]));
    const items = [...sec.querySelectorAll('#detail li')].filter((li) => li.textContent!.includes('「'));
    expect(items).toHaveLength(2);
    expect(items[0].querySelector('.model-note')).toBeNull();
    expect(items[1].textContent).toContain('insult.model');
    expect(items[1].querySelector('.model-note')?.textContent).toContain('待核实');
  });
});

describe('keyboard', () => {
  it('moves between list rows with the arrow keys and opens one with Enter', async () => {
    const row = (id: number): Row => ({ id, local: '2026-03-10 23:05', address: '1069', creditor: null, labels: [], collection: true, body: `第${id}条`, marks: [] });
    const { calls } = fakeShell((cmd, a) => {
      if (cmd === 'filter_messages') return { ids: [1, 2, 3], total: 3, elapsed_us: 10 };
      if (cmd === 'message_rows') return (a.ids as number[]).map(row);
      if (cmd === 'list_creditors') return [];
      if (cmd === 'message_detail') return null;
      return null;
    });
    const sec = messagesScreen(testCtx());
    document.body.append(sec);
    await until(() => sec.querySelectorAll('.row[data-id]').length === 3);
    const at = (id: number) => sec.querySelector(`.row[data-id="${id}"]`) as HTMLElement;
    const key = (key: string) => (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    at(1).focus();
    key('ArrowDown');
    expect(document.activeElement).toBe(at(2));
    key('ArrowDown');
    key('ArrowDown'); // stays on the last row
    expect(document.activeElement).toBe(at(3));
    key('ArrowUp');
    expect(document.activeElement).toBe(at(2));
    key('Enter');
    await until(() => calls.some((c) => c.cmd === 'message_detail'));
    expect(calls.find((c) => c.cmd === 'message_detail')?.args).toEqual({ id: 2 });
  });
});

describe('creditors', () => {
  it('renames (or merges into an existing name) and shows the new list', async () => {
    let list = [{ name: '速借宝', messages: 3, addresses: [], aliases: [] as string[] }, { name: '快贷', messages: 2, addresses: [], aliases: [] as string[] }];
    const { calls } = fakeShell((cmd, a) => {
      if (cmd === 'list_creditors') return list;
      if (cmd === 'rename_creditor') {
        list = [{ name: a.to as string, messages: 5, addresses: [], aliases: ['快贷'] }];
        return null;
      }
      return null;
    });
    const { creditorsScreen } = await import('../src/screens/creditors');
    const sec = creditorsScreen(testCtx());
    document.body.append(sec);
    await until(() => sec.querySelector('tr[data-creditor="快贷"]') !== null);
    const tr = sec.querySelector('tr[data-creditor="快贷"]') as HTMLElement;
    type(tr.querySelector('.creditor-new'), ' 速借宝 ');
    (tr.querySelector('.creditor-apply') as HTMLButtonElement).click();
    await until(() => sec.querySelector('tr[data-creditor="快贷"]') === null);
    expect(calls.find((c) => c.cmd === 'rename_creditor')?.args).toEqual({ from: '快贷', to: '速借宝' });
    expect(sec.querySelector('tr[data-creditor="速借宝"]')?.textContent).toContain('快贷');
  });
});

describe('settings', () => {
  it('deletes everything only after the confirmation word', async () => {
    const { calls } = fakeShell((cmd) =>
      cmd === 'get_settings' ? { zone: 'Asia/Shanghai', night: '22:00-08:00', max_per_day: 3, lang: 'zh', auto_lock_min: 10 } : null);
    const ctx = testCtx();
    let deleted = 0;
    const sec = settingsScreen(ctx, () => deleted++);
    document.body.append(sec);
    await until(() => sec.querySelector('#delete-all') !== null);
    (sec.querySelector('#delete-all') as HTMLButtonElement).click();
    await tick(10);
    expect(calls.some((c) => c.cmd === 'delete_everything')).toBe(false);
    expect(ctx.notices.at(-1)?.text).toBe('确认文字不正确，未删除任何内容。');
    type(sec.querySelector('#delete-confirm'), '删除');
    (sec.querySelector('#delete-all') as HTMLButtonElement).click();
    await until(() => deleted === 1);
    expect(calls.find((c) => c.cmd === 'delete_everything')?.args).toEqual({ confirm: 'delete-everything' });
  });
});

describe('evidence pack', () => {
  it('builds, saves through the save dialog and verifies', async () => {
    const { calls } = fakeShell((cmd, a) => {
      if (cmd === 'list_creditors') return [{ name: '速借宝', messages: 12, addresses: [], aliases: [] }];
      if (cmd === 'build_report') return { sha256: 'ab'.repeat(32), pack_id: 'QZ-1', pages: 9, messages: 12, has_docx: true };
      if (cmd === 'pack_pdf') throw { code: 'no_pack', message: '' };
      if (cmd === 'pick_save_path') return `/tmp/out/${a.defaultName}`;
      if (cmd === 'save_pack') return { path: a.path, sha256: 'cd'.repeat(32) };
      if (cmd === 'verify_pack') return { intact: true, detail: '完好' };
      return null;
    });
    const { packScreen } = await import('../src/screens/pack');
    const ctx = testCtx();
    const sec = packScreen(ctx);
    document.body.append(sec);
    await until(() => sec.querySelector('#pack-creditors input') !== null);
    (sec.querySelector('#pack-creditors input') as HTMLInputElement).checked = true;
    (sec.querySelector('#pack-audience') as HTMLSelectElement).value = 'court';
    type(sec.querySelector('#pack-complainant'), ' 张三 ');
    (sec.querySelector('#build-pack') as HTMLButtonElement).click();
    await until(() => sec.querySelector('#save-pdf') !== null);
    expect(calls.find((c) => c.cmd === 'build_report')?.args).toEqual({
      request: { creditors: ['速借宝'], since: null, until: null, audience: 'court', complainant: '张三' },
    });
    expect(sec.querySelector('#pack-sha')?.textContent).toContain('ab'.repeat(32));
    expect(sec.querySelector('#save-docx')).not.toBeNull();
    (sec.querySelector('#save-pdf') as HTMLButtonElement).click();
    await until(() => sec.querySelector('#verify-saved') !== null);
    expect(calls.find((c) => c.cmd === 'save_pack')?.args).toEqual({ part: 'pdf', path: '/tmp/out/quzheng-evidence.pdf' });
    (sec.querySelector('#verify-saved') as HTMLButtonElement).click();
    await until(() => sec.querySelector('#verify-result')?.textContent === '核验通过：文件完整，未被修改。');
    expect(ctx.notices.filter((n) => n.kind === 'error')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { zhCN } from '../src/i18n/zh-CN';
import { en } from '../src/i18n/en';
import { t, setLang } from '../src/i18n';
import { strength } from '../src/lib/strength';
import { findAll, snippet, spansFromPairs, piecesFromSpans } from '../src/lib/highlight';

describe('i18n', () => {
  it('has the same keys and no empty string in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const v of [...Object.values(zhCN), ...Object.values(en)]) expect(v.length).toBeGreaterThan(0);
  });
  it('fills placeholders and switches language', () => {
    setLang('zh');
    expect(t('worstDay', { day: '2026-03-10', n: 7 })).toBe('最多的一天：2026-03-10，7 条');
    setLang('en');
    expect(t('worstDay', { day: '2026-03-10', n: 7 })).toBe('Worst day: 2026-03-10, 7 messages');
    setLang('zh');
  });
});

describe('strength', () => {
  it('rates short, repetitive and long passphrases', () => {
    expect(strength('abc')).toBe(0);
    expect(strength('aaaaaaaaaaaa')).toBe(1);
    expect(strength('correct horse battery staple')).toBeGreaterThanOrEqual(3);
    expect(strength('我的猫叫小花住在三楼')).toBeGreaterThanOrEqual(3);
  });
});

describe('highlight', () => {
  it('uses code-point offsets like the core findings', () => {
    const body = '😀你再不还钱就上门找你';
    // 上门 starts at code point 7 (the emoji is one code point but two UTF-16 units)
    const p = piecesFromSpans(body, [{ start: 7, end: 9 }]);
    expect(p.filter((x) => x.hit).map((x) => x.text)).toEqual(['上门']);
    expect(p.map((x) => x.text).join('')).toBe(body);
  });
  it('starts a row snippet near the first mark so it stays visible', () => {
    const body = '【某某金融】尊敬的客户您好，您的借款已严重逾期，再不还钱就上门找你家人';
    const at = [...body].indexOf('上'); // 29
    const s = snippet(body, [{ start: at, end: at + 2 }]);
    expect(s.text.startsWith('…')).toBe(true);
    const hit = piecesFromSpans(s.text, s.spans).filter((p) => p.hit).map((p) => p.text);
    expect(hit).toEqual(['上门']);
    expect([...s.text].length).toBeLessThan([...body].length);
    // a mark near the start, or one that fits in a wide row: the body is shown whole
    expect(snippet(body, [{ start: 1, end: 3 }]).text).toBe(body);
    expect(snippet(body, [{ start: at, end: at + 2 }], undefined, 60).text).toBe(body);
    // a span before the cut is clipped, not shifted to a negative offset
    const two = snippet(body, [{ start: 0, end: 2 }, { start: at, end: at + 2 }], { start: at, end: at + 2 });
    expect(two.spans.every((x) => x.start >= 1 && x.end > x.start)).toBe(true);
    expect(spansFromPairs([[3, 5]])).toEqual([{ start: 3, end: 5 }]);
    expect(spansFromPairs(undefined)).toEqual([]);
  });
  it('finds every case-insensitive occurrence', () => {
    expect(findAll('Pay now, PAY!', 'pay')).toEqual([{ start: 0, end: 3 }, { start: 9, end: 12 }]);
    expect(findAll('abc', '  ')).toEqual([]);
  });
});

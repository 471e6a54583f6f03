// The one place the UI gets words from. Chinese is the default; English is switchable.
import { zhCN, type Strings } from './zh-CN';
import { en } from './en';

export type Lang = 'zh' | 'en';
export type Key = keyof Strings;
const tables: Record<Lang, Strings> = { zh: zhCN, en };
let current: Lang = 'zh';
const listeners: Array<() => void> = [];

export function lang(): Lang {
  return current;
}
export function setLang(l: Lang): void {
  current = l;
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  try {
    localStorage.setItem('quzheng.lang', l);
  } catch {
    /* storage unavailable: the choice lasts for this session only */
  }
  listeners.forEach((f) => f());
}
export function savedLang(): Lang {
  try {
    return localStorage.getItem('quzheng.lang') === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}
export function onLangChange(f: () => void): void {
  listeners.push(f);
}
/** The string for `key` with `{name}` placeholders filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const s = tables[current][key] ?? tables.zh[key];
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}
export function hasKey(key: string): key is Key {
  return key in zhCN;
}

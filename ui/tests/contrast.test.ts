// WCAG 2.1 contrast of the theme, computed from ui/src/styles.css itself (the :root variables
// and the literal colours): every text/background pair the UI paints is listed below and must
// reach 4.5:1 (normal text) or 3:1 (large/bold text, UI boundaries and chart marks, WCAG
// 1.4.3 / 1.4.11). The app has one (light) theme. A colour added to the CSS but missing from
// the list fails the coverage test, so new colours cannot slip in unchecked.
import { describe, expect, it } from 'vitest';
import styles from '../src/styles.css?raw';

const css = styles.replace(/\/\*[\s\S]*?\*\//g, '');
const root = css.match(/:root\s*{([^}]*)}/)?.[1] ?? '';
const vars = new Map([...root.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));

/** Resolves `var(--x)` (recursively) to a literal colour. */
function resolve(c: string): string {
  const m = c.match(/^var\((--[\w-]+)\)$/);
  if (!m) return c;
  const v = vars.get(m[1]);
  if (!v) throw new Error(`undefined CSS variable ${m[1]}`);
  return resolve(v);
}

function rgb(c: string): [number, number, number] {
  const hex = resolve(c).replace('#', '');
  const full = hex.length === 3 ? [...hex].map((x) => x + x).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`not an opaque hex colour: ${c}`);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2.1 relative luminance. */
function luminance(c: string): number {
  const [r, g, b] = rgb(c).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function ratio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const TEXT = 4.5, UI = 3; // (no text is checked at the 3:1 large-text level: all pass 4.5:1)
// [foreground, background, minimum, where]
const PAIRS: [string, string, number, string][] = [
  ['var(--text)', 'var(--bg)', TEXT, 'body text on the page'],
  ['var(--text)', 'var(--card)', TEXT, 'text on cards'],
  ['var(--muted)', 'var(--bg)', TEXT, 'hints on the page'],
  ['var(--muted)', 'var(--card)', TEXT, 'hints, muted rows, drop zone text on cards'],
  ['var(--text)', '#fff', TEXT, 'controls'],
  ['var(--text)', '#f1efe9', TEXT, 'hovered/focused list row'],
  ['var(--muted)', '#f1efe9', TEXT, 'hovered muted (non-collection) row'],
  ['var(--accent-text)', 'var(--accent)', TEXT, 'primary buttons'],
  ['#fff', 'var(--text)', TEXT, 'navigation bar'],
  ['#fff', '#5c0000', TEXT, 'danger button'],
  ['#a00000', 'var(--card)', TEXT, 'error sentences and danger title on cards'],
  ['#a00000', 'var(--bg)', TEXT, 'error sentence on the page'],
  ['#fff', '#a00000', TEXT, 'error notice'],
  ['#fff', 'var(--ok)', TEXT, 'info notice'],
  ['var(--ok)', 'var(--card)', TEXT, 'import summary: imported'],
  ['var(--warn)', 'var(--card)', TEXT, 'import summary: skipped/warnings'],
  ['var(--text)', '#fff4d6', TEXT, 'warning box'],
  ['var(--muted)', '#fbeeee', TEXT, 'drop zone while dragging'],
  ['#000', 'var(--mark)', TEXT, 'highlighted words'],
  ['#5a0d07', '#f3d6d3', TEXT, 'label chips'],
  ['#2b1d57', '#dcd6f0', TEXT, 'time label chips'],
  ['var(--muted)', '#fff', TEXT, 'chart axis labels'],
  // UI boundaries and graphics (WCAG 1.4.11): 3:1 against what is next to them.
  ['var(--control-border)', '#fff', UI, 'border of inputs and buttons'],
  ['var(--control-border)', 'var(--card)', UI, 'border of inputs on cards'],
  ['#1a56db', 'var(--card)', UI, 'focus ring on cards'],
  ['#1a56db', 'var(--bg)', UI, 'focus ring on the page'],
  ['#fff', 'var(--text)', UI, 'active navigation button border'],
  ['var(--accent)', 'var(--card)', UI, 'drop zone border while dragging'],
  ['var(--bar)', '#fff', UI, 'chart bars'],
  ['var(--bar)', 'var(--night)', UI, 'chart bars over night shading'],
  ['var(--bar-night)', '#fff', UI, 'night part of day bars'],
  ['#fff', 'var(--bar)', UI, 'separator between the day and night part of a bar'],
  ['var(--bar)', 'var(--card)', UI, 'count bars'],
  ['var(--warn)', '#fff4d6', UI, 'warning box edge'],
];

// Colours that only decorate (card borders, table rules, shadows); they carry no meaning a
// user needs (WCAG 1.4.11 applies to what identifies a control or a chart's data).
const DECORATIVE = new Set(['var(--line)', '#e4e2dc', '#0002']);

describe('contrast (WCAG 2.1)', () => {
  it.each(PAIRS)('%s on %s ≥ %s:1 (%s)', (fg, bg, min) => {
    expect(ratio(fg, bg)).toBeGreaterThanOrEqual(min);
  });

  it('computes known ratios', () => {
    expect(ratio('#000', '#fff')).toBeCloseTo(21, 5);
    expect(ratio('#767676', '#fff')).toBeCloseTo(4.54, 2);
  });

  it('checks every colour the stylesheet uses', () => {
    const decls = css.replace(/:root\s*{[^}]*}/, '');
    const used = new Set<string>();
    for (const m of decls.matchAll(/(?:^|[;{\s])(color|background|fill|stroke|border(?:-[\w-]+)?|outline):\s*([^;}]+)/g)) {
      for (const c of m[2].matchAll(/var\(--[\w-]+\)|#[0-9a-fA-F]{3,8}\b/g)) used.add(c[0]);
    }
    for (const v of vars.keys()) if (/^--(?!.*font)/.test(v) && /^#/.test(vars.get(v) ?? '')) used.add(`var(${v})`);
    const checked = new Set(PAIRS.flatMap(([f, b]) => [f, b]));
    const unchecked = [...used].filter((c) => !checked.has(c) && !DECORATIVE.has(c));
    expect(unchecked).toEqual([]);
  });
});

// Small hand-made SVG charts (no chart library: fewer dependencies, nothing remote).
const NS = 'http://www.w3.org/2000/svg';
function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Bars for the 24 hours of the day; hours in `night` are shaded. */
export function hourChart(perHour: number[], night: number[], title: string): SVGSVGElement {
  const w = 480, hgt = 160, pad = 20, bw = (w - pad * 2) / 24;
  const max = Math.max(1, ...perHour);
  const svg = s('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': title, class: 'chart' });
  for (const hr of night) svg.appendChild(s('rect', { x: pad + hr * bw, y: 0, width: bw, height: hgt - pad, class: 'night' }));
  perHour.forEach((n, hr) => {
    const bh = ((hgt - pad * 2) * n) / max;
    const r = s('rect', { x: pad + hr * bw + 1, y: hgt - pad - bh, width: bw - 2, height: bh, class: 'bar' });
    const tt = s('title', {});
    tt.textContent = `${hr}:00 — ${n}`;
    r.appendChild(tt);
    svg.appendChild(r);
    if (hr % 3 === 0) {
      const tx = s('text', { x: pad + hr * bw, y: hgt - 4, class: 'axis' });
      tx.textContent = String(hr);
      svg.appendChild(tx);
    }
  });
  return svg;
}

/** Bars per day; the part of each bar sent at night is drawn darker. */
export function dayChart(days: { day: string; n: number; night: number }[], title: string): SVGSVGElement {
  const w = 480, hgt = 160, pad = 20;
  const bw = days.length ? (w - pad * 2) / days.length : 1;
  const max = Math.max(1, ...days.map((d) => d.n));
  const svg = s('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': title, class: 'chart' });
  days.forEach((d, i) => {
    const bh = ((hgt - pad * 2) * d.n) / max;
    const nh = ((hgt - pad * 2) * d.night) / max;
    const x = pad + i * bw;
    const r = s('rect', { x, y: hgt - pad - bh, width: Math.max(1, bw - 1), height: bh, class: 'bar' });
    const tt = s('title', {});
    tt.textContent = `${d.day} — ${d.n}`;
    r.appendChild(tt);
    svg.appendChild(r);
    if (nh > 0) svg.appendChild(s('rect', { x, y: hgt - pad - nh, width: Math.max(1, bw - 1), height: nh, class: 'bar-night' }));
  });
  if (days.length) {
    const a = s('text', { x: pad, y: hgt - 4, class: 'axis' });
    a.textContent = days[0].day;
    const b = s('text', { x: w - pad, y: hgt - 4, class: 'axis', 'text-anchor': 'end' });
    b.textContent = days[days.length - 1].day;
    svg.append(a, b);
  }
  return svg;
}

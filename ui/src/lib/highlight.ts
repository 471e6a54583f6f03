// Splits text into plain and highlighted pieces. Offsets are Unicode scalar (code point)
// offsets, the same as the core's Finding start/end, never UTF-16 indexes.
export interface Span { start: number; end: number }
export interface Piece { text: string; hit: boolean }

export function piecesFromSpans(text: string, spans: Span[]): Piece[] {
  const chars = [...text];
  const marks = new Uint8Array(chars.length);
  for (const s of spans) for (let i = Math.max(0, s.start); i < Math.min(chars.length, s.end); i++) marks[i] = 1;
  const out: Piece[] = [];
  let i = 0;
  while (i < chars.length) {
    let j = i;
    while (j < chars.length && marks[j] === marks[i]) j++;
    out.push({ text: chars.slice(i, j).join(''), hit: marks[i] === 1 });
    i = j;
  }
  return out;
}

/** Code-point spans of every case-insensitive occurrence of `needle` in `text`. */
export function findAll(text: string, needle: string): Span[] {
  const n = needle.trim();
  if (!n) return [];
  const hay = [...text.toLowerCase()];
  const ndl = [...n.toLowerCase()];
  const spans: Span[] = [];
  outer: for (let i = 0; i + ndl.length <= hay.length; i++) {
    for (let k = 0; k < ndl.length; k++) if (hay[i + k] !== ndl[k]) continue outer;
    spans.push({ start: i, end: i + ndl.length });
    i += ndl.length - 1;
  }
  return spans;
}

export function renderPieces(pieces: Piece[]): DocumentFragment {
  const f = document.createDocumentFragment();
  for (const p of pieces) {
    if (p.hit) {
      const m = document.createElement('mark');
      m.textContent = p.text;
      f.appendChild(m);
    } else f.appendChild(document.createTextNode(p.text));
  }
  return f;
}

/** Spans from the shell's `[start, end]` pairs (list rows carry their findings this way). */
export function spansFromPairs(pairs: readonly (readonly [number, number])[] | undefined): Span[] {
  return (pairs ?? []).map(([start, end]) => ({ start, end }));
}

/**
 * The part of `text` a one-line list row shows, so that the first highlighted span is
 * visible: when `focus` (the span to show, else the first of `spans`) ends after the `fit`
 * code points the row has room for, the snippet starts `context` code points before it,
 * after an ellipsis. Spans are shifted into the snippet; those cut off are clipped.
 */
export function snippet(text: string, spans: Span[], focus?: Span, fit = 24, context = 4): { text: string; spans: Span[] } {
  const first = focus ?? [...spans].sort((a, b) => a.start - b.start)[0];
  if (!first || first.end <= fit || first.start <= context) return { text, spans };
  const cut = first.start - context;
  const chars = [...text];
  const shift = cut - 1; // one code point for the ellipsis
  return {
    text: '…' + chars.slice(cut).join(''),
    spans: spans
      .map((s) => ({ start: Math.max(1, s.start - shift), end: s.end - shift }))
      .filter((s) => s.end > s.start),
  };
}

// A fixed-row-height virtual list: only the rows in view (plus a margin) exist in the DOM, so
// 100,000 ids cost one tall spacer and ~40 row elements. Rows are fetched lazily by id.
export interface VirtualListOptions<T> {
  rowHeight: number;
  fetch: (ids: number[]) => Promise<T[]>;
  render: (row: T, index: number) => HTMLElement;
  placeholder: (id: number) => HTMLElement;
}

export class VirtualList<T extends { id: number }> {
  readonly el: HTMLDivElement;
  private spacer: HTMLDivElement;
  private ids: number[] = [];
  private cache = new Map<number, T>();
  private pending = new Set<number>();
  private raf = 0;

  constructor(private opts: VirtualListOptions<T>) {
    this.el = document.createElement('div');
    this.el.className = 'vlist';
    this.el.tabIndex = 0;
    this.el.setAttribute('role', 'list');
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.el.appendChild(this.spacer);
    this.el.addEventListener('scroll', () => this.schedule());
    this.el.addEventListener('keydown', (e) => {
      const page = Math.max(1, Math.floor(this.el.clientHeight / opts.rowHeight) - 1) * opts.rowHeight;
      if (e.key === 'PageDown') this.el.scrollTop += page;
      else if (e.key === 'PageUp') this.el.scrollTop -= page;
      else if (e.key === 'Home') this.el.scrollTop = 0;
      else if (e.key === 'End') this.el.scrollTop = this.el.scrollHeight;
      else return;
      e.preventDefault();
    });
  }

  setIds(ids: number[]): void {
    this.ids = ids;
    this.spacer.style.height = `${ids.length * this.opts.rowHeight}px`;
    this.el.scrollTop = 0;
    this.draw();
  }

  invalidate(id: number): void {
    this.cache.delete(id);
    this.draw();
  }

  private schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  /** Indexes [first, last) of the rows that should exist for the current scroll position. */
  visibleRange(): [number, number] {
    const h = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.el.scrollTop / this.opts.rowHeight) - 10);
    const last = Math.min(this.ids.length, Math.ceil((this.el.scrollTop + h) / this.opts.rowHeight) + 10);
    return [first, last];
  }

  draw(): void {
    const [first, last] = this.visibleRange();
    const frag = document.createDocumentFragment();
    const missing: number[] = [];
    for (let i = first; i < last; i++) {
      const id = this.ids[i];
      const row = this.cache.get(id);
      const el = row ? this.opts.render(row, i) : this.opts.placeholder(id);
      if (!row && !this.pending.has(id)) missing.push(id);
      el.style.position = 'absolute';
      el.style.top = `${i * this.opts.rowHeight}px`;
      el.style.height = `${this.opts.rowHeight}px`;
      el.style.left = '0';
      el.style.right = '0';
      frag.appendChild(el);
    }
    this.spacer.replaceChildren(frag);
    if (missing.length) {
      missing.forEach((id) => this.pending.add(id));
      this.opts
        .fetch(missing)
        .then((rows) => {
          for (const r of rows) this.cache.set(r.id, r);
          if (this.cache.size > 5000) this.cache.clear(); // bound memory on long sessions
        })
        .catch(() => undefined)
        .finally(() => {
          missing.forEach((id) => this.pending.delete(id));
          this.schedule();
        });
    }
  }

  renderedCount(): number {
    return this.spacer.childElementCount;
  }
}
